package dev.tandem.server.remote;

import java.util.regex.Pattern;

/**
 * Removes an upstream key from text we are about to show or log: the exact key, and anything that
 * looks like a provider key or a masked one ("Incorrect API key provided: sk-proj-****abcd").
 */
final class KeyScrubber {
    private static final Pattern KEY_LIKE = Pattern.compile("\\b(sk|key|pk)-[A-Za-z0-9_\\-*.]{4,}");
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+[A-Za-z0-9_\\-*.=]+");

    private final String key;

    KeyScrubber(String key) {
        this.key = key == null || key.isBlank() ? null : key;
    }

    String scrub(String text) {
        if (text == null) {
            return null;
        }
        String out = key == null ? text : text.replace(key, "[redacted]");
        out = KEY_LIKE.matcher(out).replaceAll("[redacted]");
        return BEARER.matcher(out).replaceAll("Bearer [redacted]");
    }
}
