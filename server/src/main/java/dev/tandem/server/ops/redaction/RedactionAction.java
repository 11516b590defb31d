package dev.tandem.server.ops.redaction;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What happens to a prompt holding secrets that is bound for a remote backend ({@code redaction.remoteAction}). */
public enum RedactionAction {
    /** Mask each secret as {@code [REDACTED:type]} and send the prompt. */
    REDACT("redact"),
    /** Serve it locally instead. */
    KEEP_LOCAL("keep-local"),
    /** Refuse it with a 400. */
    REFUSE("refuse");

    private final String wireName;

    RedactionAction(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** "redact", "keep-local", "refuse" (or "KEEP_LOCAL"); throws IllegalArgumentException naming the key otherwise. */
    @JsonCreator
    public static RedactionAction parse(String text) {
        String norm = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (RedactionAction a : values()) {
            if (a.wireName.equals(norm)) {
                return a;
            }
        }
        List<String> names = Arrays.stream(values()).map(RedactionAction::wireName).toList();
        throw new IllegalArgumentException("redaction.remoteAction must be one of " + names + ", was " + text);
    }
}
