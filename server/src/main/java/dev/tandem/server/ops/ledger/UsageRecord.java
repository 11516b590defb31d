package dev.tandem.server.ops.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * One request as the ledger keeps it.
 *
 * @param keyId the API key's id, or "anonymous" when auth is off
 * @param backend who served it ("local", "anthropic", "openai"), or "none" when nothing started
 * @param route the router's reason ("primary", "saturated", …) or "cache"; "none" when nothing started
 * @param timeToFirstTokenMs null when no token came
 * @param status "ok", "cancelled", or the error kind in lower case ("rate_limited", "upstream", …)
 */
public record UsageRecord(
        Instant time,
        String requestId,
        String keyId,
        String dialect,
        String model,
        String backend,
        String route,
        int promptTokens,
        int completionTokens,
        Long timeToFirstTokenMs,
        long totalMs,
        String status,
        double costUsd) {

    public UsageRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(status, "status");
    }
}
