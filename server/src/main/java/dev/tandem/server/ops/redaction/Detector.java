package dev.tandem.server.ops.redaction;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A kind of secret and the pattern that finds it. When the pattern has a group named {@code secret},
 * only that group is masked (so {@code password = "x"} keeps its left-hand side).
 */
public record Detector(String type, Pattern pattern) {
    public Detector {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(pattern, "pattern");
    }

    public static Detector of(String type, String regex) {
        return new Detector(type, Pattern.compile(regex));
    }

    boolean masksGroup() {
        return pattern.pattern().contains("(?<secret>");
    }
}
