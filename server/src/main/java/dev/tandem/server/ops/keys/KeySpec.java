package dev.tandem.server.ops.keys;

import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Policy;
import java.util.List;
import java.util.Objects;

/**
 * What an operator asks for when creating a key: a name, a routing policy (null: the server's) and
 * limits. Built with {@link #builder(String)}.
 */
public record KeySpec(String name, Policy policy, Caller.Limits limits) {

    public KeySpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        Objects.requireNonNull(limits, "limits");
    }

    /** A key named {@code name}, with the server's policy and no limits unless set. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    public static final class Builder {
        private final String name;
        private Policy policy;
        private List<String> allowedModels = List.of();
        private Integer rpm;
        private Integer tpm;
        private Integer maxConcurrent;
        private Double budgetUsd;

        private Builder(String name) {
            this.name = name;
        }

        public Builder withPolicy(Policy v) {
            policy = v;
            return this;
        }

        public Builder withAllowedModels(List<String> v) {
            allowedModels = v;
            return this;
        }

        public Builder withRpm(Integer v) {
            rpm = v;
            return this;
        }

        public Builder withTpm(Integer v) {
            tpm = v;
            return this;
        }

        public Builder withMaxConcurrent(Integer v) {
            maxConcurrent = v;
            return this;
        }

        public Builder withBudgetUsd(Double v) {
            budgetUsd = v;
            return this;
        }

        public KeySpec build() {
            return new KeySpec(name, policy, new Caller.Limits(allowedModels, rpm, tpm, maxConcurrent, budgetUsd));
        }
    }
}
