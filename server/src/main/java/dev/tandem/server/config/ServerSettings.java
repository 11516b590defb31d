package dev.tandem.server.config;

import dev.tandem.server.core.Assert;

/**
 * The {@code server:} section: the HTTP side. Its defaults are in {@code tandem-defaults.yaml};
 * {@link #toBuilder()} changes a copy.
 *
 * @param maxBodyBytes request bodies above this size are refused with 413
 * @param defaultMaxTokens chat max_tokens when the client sends none
 * @param strictMaxTokens a max_tokens the local model's window cannot hold after the prompt is refused (400),
 *     instead of lowered to the room the prompt leaves
 * @param pingIntervalMs keep-alive period on a stream that has nothing else to say
 * @param dataDir where generated files (the demo checkpoint) live
 */
public record ServerSettings(
        String host, int port, long maxBodyBytes, int defaultMaxTokens, boolean strictMaxTokens, int pingIntervalMs, String dataDir) {

    public ServerSettings {
        Assert.isTrue(host != null && !host.isBlank(), "server.host must be set");
        Assert.isTrue(port >= 0 && port <= 65535, "server.port must be in [0, 65535] (0: any free port)");
        Assert.isTrue(maxBodyBytes >= 1024, "server.maxBodyBytes must be >= 1024");
        Assert.isTrue(defaultMaxTokens >= 1, "server.defaultMaxTokens must be >= 1");
        Assert.isTrue(pingIntervalMs >= 10, "server.pingIntervalMs must be >= 10");
        Assert.isTrue(dataDir != null && !dataDir.isBlank(), "server.dataDir must be set");
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static final class Builder {
        private String host;
        private int port;
        private long maxBodyBytes;
        private int defaultMaxTokens;
        private boolean strictMaxTokens;
        private int pingIntervalMs;
        private String dataDir;

        private Builder(ServerSettings s) {
            host = s.host;
            port = s.port;
            maxBodyBytes = s.maxBodyBytes;
            defaultMaxTokens = s.defaultMaxTokens;
            strictMaxTokens = s.strictMaxTokens;
            pingIntervalMs = s.pingIntervalMs;
            dataDir = s.dataDir;
        }

        public Builder withHost(String v) {
            host = v;
            return this;
        }

        public Builder withPort(int v) {
            port = v;
            return this;
        }

        public Builder withMaxBodyBytes(long v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder withDefaultMaxTokens(int v) {
            defaultMaxTokens = v;
            return this;
        }

        public Builder withStrictMaxTokens(boolean v) {
            strictMaxTokens = v;
            return this;
        }

        public Builder withPingIntervalMs(int v) {
            pingIntervalMs = v;
            return this;
        }

        public Builder withDataDir(String v) {
            dataDir = v;
            return this;
        }

        public ServerSettings build() {
            return new ServerSettings(host, port, maxBodyBytes, defaultMaxTokens, strictMaxTokens, pingIntervalMs, dataDir);
        }
    }
}
