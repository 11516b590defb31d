package dev.tandem.server.ops.redaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code redaction:} section.
 *
 * @param detectors built-in detectors to run (default: all, plus "high_entropy")
 * @param custom extra detectors: type name → regular expression
 * @param remoteAction what to do with a prompt holding secrets that is bound for a remote backend
 * @param entropyThreshold bits per character from which a long token counts as random (default 4.5)
 * @param entropyMinLength shortest token the entropy check looks at (default 32)
 * @param logs mask secrets in every log line (default true)
 */
public record RedactionConfig(
        List<String> detectors,
        Map<String, String> custom,
        RedactionAction remoteAction,
        Double entropyThreshold,
        Integer entropyMinLength,
        Boolean logs) {

    public static final RedactionConfig DEFAULTS = new RedactionConfig(null, null, null, null, null, null);

    public RedactionConfig {
        if (detectors == null) {
            List<String> all = new ArrayList<>(Redactor.BUILT_IN.keySet());
            all.add("high_entropy");
            detectors = all;
        }
        detectors = List.copyOf(detectors);
        custom = custom == null ? Map.of() : Map.copyOf(custom);
        remoteAction = remoteAction == null ? RedactionAction.REDACT : remoteAction;
        entropyThreshold = entropyThreshold == null ? 4.0 : entropyThreshold;
        entropyMinLength = entropyMinLength == null ? 32 : entropyMinLength;
        logs = logs == null ? Boolean.TRUE : logs;
    }
}
