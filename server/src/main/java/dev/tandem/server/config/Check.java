package dev.tandem.server.config;

/** Configuration errors name the key at fault. */
final class Check {
    private Check() {}

    static void that(boolean ok, String message) {
        if (!ok) {
            throw new ConfigException(message);
        }
    }
}
