package dev.tandem.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * A real Redis server (6.2) on loopback, from the binary that {@code com.github.codemonstur:embedded-redis}
 * ships in its jar (nothing is downloaded); nothing is written to disk. It can be stopped and started
 * again on the same port, as a cache that goes away and comes back.
 *
 * <pre>
 *   try (LocalRedis redis = LocalRedis.start("s3cret")) {
 *       String url = redis.url();   // redis://:s3cret@127.0.0.1:PORT
 *   }
 * </pre>
 */
public final class LocalRedis implements AutoCloseable {
    private final RedisServer server;
    private final int port;
    private final String password;

    private LocalRedis(RedisServer server, int port, String password) {
        this.server = server;
        this.port = port;
        this.password = password;
    }

    /** A new server on a free port that asks for {@code password} (null: none). */
    public static LocalRedis start(String password) {
        try {
            int port = freePort();
            RedisServer server = RedisServer.newRedisServer()
                    .bind("127.0.0.1")
                    .port(port)
                    .setting("save \"\"")
                    .setting("appendonly no")
                    .settingIf(password != null, "requirepass " + password)
                    .build();
            LocalRedis redis = new LocalRedis(server, port, password);
            redis.startAgain();
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code redis://[:password@]127.0.0.1:PORT}. */
    public String url() {
        return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the server (its contents are lost); {@link #startAgain()} brings it back on the same port. */
    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void startAgain() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isRunning() {
        return server.isActive();
    }

    @Override
    public void close() {
        if (server.isActive()) {
            stop();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
