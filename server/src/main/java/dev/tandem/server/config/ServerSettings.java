package dev.tandem.server.config;

/**
 * The HTTP side.
 *
 * @param maxBodyBytes request bodies above this size are refused with 413
 * @param defaultMaxTokens chat max_tokens when the client sends none
 * @param pingIntervalMs keep-alive period on a stream that has nothing else to say
 * @param dataDir where generated files (the demo checkpoint) live
 */
public record ServerSettings(
        String host, int port, long maxBodyBytes, int defaultMaxTokens, int pingIntervalMs, String dataDir) {

    public ServerSettings {
        Check.that(host != null && !host.isBlank(), "server.host must be set");
        Check.that(port >= 0 && port <= 65535, "server.port must be in [0, 65535] (0: any free port)");
        Check.that(maxBodyBytes >= 1024, "server.maxBodyBytes must be >= 1024");
        Check.that(defaultMaxTokens >= 1, "server.defaultMaxTokens must be >= 1");
        Check.that(pingIntervalMs >= 10, "server.pingIntervalMs must be >= 10");
        Check.that(dataDir != null && !dataDir.isBlank(), "server.dataDir must be set");
    }

    public ServerSettings withPort(int v) {
        return new ServerSettings(host, v, maxBodyBytes, defaultMaxTokens, pingIntervalMs, dataDir);
    }

    public ServerSettings withDataDir(String v) {
        return new ServerSettings(host, port, maxBodyBytes, defaultMaxTokens, pingIntervalMs, v);
    }

    public ServerSettings withPingIntervalMs(int v) {
        return new ServerSettings(host, port, maxBodyBytes, defaultMaxTokens, v, dataDir);
    }

    public ServerSettings withMaxBodyBytes(long v) {
        return new ServerSettings(host, port, v, defaultMaxTokens, pingIntervalMs, dataDir);
    }
}
