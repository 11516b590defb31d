package dev.tandem.server.routing;

/**
 * Why a backend served a request; stamped on {@code Started.route}, sent as {@code x-tandem-route},
 * logged and counted.
 */
public final class RouteReason {
    /** The first backend of the chain served it (local for local/alias models, the named remote for a remote model). */
    public static final String PRIMARY = "primary";
    /** The local engine was saturated (queue full or estimated wait too long); a remote served it. */
    public static final String SATURATED = "saturated";
    /** The local engine failed before its first token; a remote served it. */
    public static final String LOCAL_ERROR = "local-error";
    /** The policy (remote-only) sent a local or alias model to a remote. */
    public static final String POLICY = "policy";
    /** The local model cannot serve it (tools, images, context too long); a remote could. */
    public static final String CAPABILITY = "capability";

    private RouteReason() {}
}
