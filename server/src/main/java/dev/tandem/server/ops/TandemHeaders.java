package dev.tandem.server.ops;

/** Internal request headers that only the gate sets; the edge strips client-sent copies. */
public final class TandemHeaders {
    /** The authenticated key's id ("anonymous" when auth is off). */
    public static final String KEY_ID = "x-tandem-key-id";
    /** The key's routing policy, read by the router. */
    public static final String KEY_POLICY = "x-tandem-key-policy";
    public static final String ANONYMOUS = "anonymous";

    private TandemHeaders() {}
}
