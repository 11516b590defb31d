package dev.tandem.server.ops.ledger;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One request as the ledger keeps it; built with {@link #builder(Instant, String)}.
 *
 * <p>Apart from {@link dev.tandem.server.ops.RequestOutcome}, from which {@link LedgerWriter} makes it:
 * this is a row, what the stores write and read back (labels rather than enums, so a row an older
 * version wrote still reads; milliseconds; the cost priced when it was written), with no typed state a
 * listener needs.
 *
 * @param id the row's own id, made before it is written (a random UUID unless set): a write retried
 *     after its answer was lost stores the row once
 * @param keyId the API key's id, or "anonymous" when auth is off
 * @param backend who served it ("local", "anthropic", "openai"), or "none" when nothing started
 * @param route the router's reason ("primary", "saturated", …) or "cache"; "none" when nothing started
 * @param timeToFirstTokenMs null when no token came
 * @param status "ok", "cancelled", or the error kind in lower case ("rate_limited", "upstream", …)
 */
public record UsageRecord(
        String id,
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
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(status, "status");
    }

    /**
     * The row of request {@code requestId} at {@code time}; a new id, route and backend "none", status
     * "ok", nothing counted unless set.
     */
    public static Builder builder(Instant time, String requestId) {
        return new Builder(time, requestId);
    }

    /** This row as a builder, to change some of it. */
    public Builder toBuilder() {
        return new Builder(time, requestId).withId(id)
                .withKeyId(keyId)
                .withDialect(dialect)
                .withModel(model)
                .withBackend(backend, route)
                .withTokens(promptTokens, completionTokens)
                .withTimes(timeToFirstTokenMs, totalMs)
                .withStatus(status)
                .withCostUsd(costUsd);
    }

    public static final class Builder {
        private String id = UUID.randomUUID().toString();
        private final Instant time;
        private final String requestId;
        private String keyId;
        private String dialect;
        private String model;
        private String backend = "none";
        private String route = "none";
        private int promptTokens;
        private int completionTokens;
        private Long timeToFirstTokenMs;
        private long totalMs;
        private String status = "ok";
        private double costUsd;

        private Builder(Instant time, String requestId) {
            this.time = time;
            this.requestId = requestId;
        }

        /** The row's id as stored (reading a row back, replaying a pending one). */
        public Builder withId(String v) {
            id = v;
            return this;
        }

        public Builder withKeyId(String v) {
            keyId = v;
            return this;
        }

        public Builder withDialect(String v) {
            dialect = v;
            return this;
        }

        public Builder withModel(String v) {
            model = v;
            return this;
        }

        /** Who served it and why (the route's wire name). */
        public Builder withBackend(String backendName, String routeName) {
            backend = backendName;
            route = routeName;
            return this;
        }

        public Builder withTokens(int prompt, int completion) {
            promptTokens = prompt;
            completionTokens = completion;
            return this;
        }

        /** @param firstTokenMs null when no token came */
        public Builder withTimes(Long firstTokenMs, long total) {
            timeToFirstTokenMs = firstTokenMs;
            totalMs = total;
            return this;
        }

        public Builder withStatus(String v) {
            status = v;
            return this;
        }

        public Builder withCostUsd(double v) {
            costUsd = v;
            return this;
        }

        public UsageRecord build() {
            return new UsageRecord(id, time, requestId, keyId, dialect, model, backend, route, promptTokens, completionTokens,
                    timeToFirstTokenMs, totalMs, status, costUsd);
        }
    }
}
