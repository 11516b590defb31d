package dev.tandem.server.core;

/**
 * Checks of values built from configuration or by code (not the caller's input: that gets an
 * {@link ApiException}). Each failure is an {@link IllegalArgumentException} whose message names
 * what is wrong, e.g. {@code "engine.maxRunning must be >= 1"}.
 */
public final class Assert {
    private Assert() {}

    /** @param name what the value is, e.g. {@code "cache.ttlSeconds"} */
    public static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must be set");
        }
        return value;
    }

    public static void isTrue(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
