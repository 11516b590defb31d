package dev.tandem.server.ops.redaction;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A kind of secret and the pattern that finds it. When the pattern has a group named {@code secret},
 * only that group is masked (so {@code password = "x"} keeps its left-hand side).
 *
 * <p>{@code hints}: lower-case literals of which every match contains at least one. A text whose
 * lower-case form holds none of them cannot match, so the pattern is not run: the redactor scans
 * every log line and every prompt bound for a remote, and one substring search is far cheaper than
 * a regular expression. Empty hints: the pattern always runs (custom detectors).
 */
public record Detector(String type, Pattern pattern, List<String> hints) {
    public Detector {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(pattern, "pattern");
        hints = hints.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

    public static Detector of(String type, String regex, String... hints) {
        return new Detector(type, Pattern.compile(regex), List.of(hints));
    }

    boolean masksGroup() {
        return pattern.pattern().contains("(?<secret>");
    }

    /** False only when no match is possible in a text whose lower-case form is {@code lowerCaseText}. */
    boolean mayMatch(String lowerCaseText) {
        if (hints.isEmpty()) {
            return true;
        }
        for (String hint : hints) {
            if (lowerCaseText.contains(hint)) {
                return true;
            }
        }
        return false;
    }
}
