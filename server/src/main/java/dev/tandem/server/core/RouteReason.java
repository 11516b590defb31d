package dev.tandem.server.core;

/**
 * Why a backend served a request: stamped on {@link InferenceEvent.Started#route()} by the router (or
 * the cache), sent as {@code x-tandem-route}, written to the ledger and counted.
 */
public enum RouteReason {
    /** The first backend of the chain served it (local for local/alias models, the named remote for a remote model). */
    PRIMARY("primary"),
    /** The local engine was saturated (queue full or estimated wait too long); a remote served it. */
    SATURATED("saturated"),
    /** The local engine failed before its first token; a remote served it. */
    LOCAL_ERROR("local-error"),
    /** The policy (remote-only) sent a local or alias model to a remote. */
    POLICY("policy"),
    /** The local model cannot serve it (tools, images, context too long); a remote could. */
    CAPABILITY("capability"),
    /** Replayed from the response cache. */
    CACHE("cache");

    private final String wireName;

    RouteReason(String wireName) {
        this.wireName = wireName;
    }

    /** The name on the wire, in the ledger and in metrics labels. */
    public String wireName() {
        return wireName;
    }

    /** Served by a fallback rather than the first choice. */
    public boolean isFallback() {
        return this == SATURATED || this == LOCAL_ERROR || this == CAPABILITY;
    }

    /** A passing state of the local engine, not the request, chose the backend. */
    public boolean isTransient() {
        return this == SATURATED || this == LOCAL_ERROR;
    }
}
