package dev.tandem.server.ops.ledger;

import java.time.LocalDate;

/** Usage summed over one (day, key, model, backend) group; days in UTC. Built with {@link #builder}. */
public record UsageTotal(
        LocalDate day,
        String keyId,
        String model,
        String backend,
        long requests,
        long promptTokens,
        long completionTokens,
        double costUsd) {

    /** The group: a day, a key, a model, a backend; nothing summed yet. */
    public static Builder builder(LocalDate day, String keyId, String model, String backend) {
        return new Builder(day, keyId, model, backend);
    }

    public static final class Builder {
        private final LocalDate day;
        private final String keyId;
        private final String model;
        private final String backend;
        private long requests;
        private long promptTokens;
        private long completionTokens;
        private double costUsd;

        private Builder(LocalDate day, String keyId, String model, String backend) {
            this.day = day;
            this.keyId = keyId;
            this.model = model;
            this.backend = backend;
        }

        public Builder withRequests(long v) {
            requests = v;
            return this;
        }

        public Builder withTokens(long prompt, long completion) {
            promptTokens = prompt;
            completionTokens = completion;
            return this;
        }

        public Builder withCostUsd(double v) {
            costUsd = v;
            return this;
        }

        public UsageTotal build() {
            return new UsageTotal(day, keyId, model, backend, requests, promptTokens, completionTokens, costUsd);
        }
    }
}
