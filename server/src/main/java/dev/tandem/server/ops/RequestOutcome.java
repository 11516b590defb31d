package dev.tandem.server.ops;

import dev.tandem.server.core.ErrorKind;
import java.time.Duration;
import java.time.Instant;

/**
 * How one request ended, as seen around the dispatcher: what the ledger writes and metrics count.
 *
 * @param model the model the caller asked for
 * @param servedModel the model the backend ran (prices go by it), or the asked model when none started
 * @param backend who served it, or "none" when it failed before any backend started
 * @param route the router's reason, "cache" for a cache hit, or "none"
 * @param timeToFirstToken null when no token came
 * @param error the failure's kind when status is "error", else null
 */
public record RequestOutcome(
        Instant time,
        String requestId,
        String keyId,
        String dialect,
        String model,
        String servedModel,
        String backend,
        String route,
        int promptTokens,
        int completionTokens,
        Duration timeToFirstToken,
        Duration total,
        Status status,
        ErrorKind error) {

    public enum Status {
        OK,
        ERROR,
        CANCELLED
    }

    /** "ok", "cancelled", or the error kind in lower case. */
    public String statusLabel() {
        return switch (status) {
            case OK -> "ok";
            case CANCELLED -> "cancelled";
            case ERROR -> error == null ? "error" : error.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    public boolean cached() {
        return "cache".equals(route);
    }
}
