package dev.tandem.server.ops.redaction;

import dev.tandem.server.core.Assert;
import java.util.List;
import java.util.Map;

/**
 * The {@code redaction:} section (defaults in {@code tandem-defaults.yaml}); {@link #toBuilder()}
 * changes a copy.
 *
 * @param detectors built-in detectors to run, "high_entropy" for the entropy check
 * @param custom extra detectors: type name → regular expression
 * @param remoteAction what to do with a prompt holding secrets that is bound for a remote backend
 * @param entropyThreshold bits per character from which a long token counts as random
 * @param entropyMinLength shortest token the entropy check looks at
 * @param logs mask secrets in every log line
 */
public record RedactionConfig(
        List<String> detectors,
        Map<String, String> custom,
        RedactionAction remoteAction,
        double entropyThreshold,
        int entropyMinLength,
        boolean logs) {

    public RedactionConfig {
        detectors = List.copyOf(Assert.notNull(detectors, "redaction.detectors"));
        custom = Map.copyOf(Assert.notNull(custom, "redaction.custom"));
        Assert.notNull(remoteAction, "redaction.remoteAction");
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static final class Builder {
        private List<String> detectors;
        private Map<String, String> custom;
        private RedactionAction remoteAction;
        private double entropyThreshold;
        private int entropyMinLength;
        private boolean logs;

        private Builder(RedactionConfig c) {
            detectors = c.detectors;
            custom = c.custom;
            remoteAction = c.remoteAction;
            entropyThreshold = c.entropyThreshold;
            entropyMinLength = c.entropyMinLength;
            logs = c.logs;
        }

        public Builder withDetectors(List<String> v) {
            detectors = v;
            return this;
        }

        public Builder withCustom(Map<String, String> v) {
            custom = v;
            return this;
        }

        public Builder withRemoteAction(RedactionAction v) {
            remoteAction = v;
            return this;
        }

        /** @param threshold bits per character; @param minLength the shortest token looked at */
        public Builder withEntropy(double threshold, int minLength) {
            entropyThreshold = threshold;
            entropyMinLength = minLength;
            return this;
        }

        public Builder withLogs(boolean v) {
            logs = v;
            return this;
        }

        public RedactionConfig build() {
            return new RedactionConfig(detectors, custom, remoteAction, entropyThreshold, entropyMinLength, logs);
        }
    }
}
