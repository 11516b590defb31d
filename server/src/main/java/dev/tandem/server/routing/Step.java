package dev.tandem.server.routing;

import dev.tandem.server.core.RouteReason;

/**
 * One backend of a request's chain, and the reason to stamp if it serves; a null reason is decided by
 * how the local engine failed before it (saturated, or a local error).
 */
sealed interface Step {
    RouteReason reason();

    /** The local engine. */
    record Local(RouteReason reason) implements Step {}

    /** The remote upstream of that name. */
    record Remote(String upstream, RouteReason reason) implements Step {}

    /** The backend's name, for logs and metrics. */
    default String backendName() {
        return this instanceof Remote r ? r.upstream() : "local";
    }
}
