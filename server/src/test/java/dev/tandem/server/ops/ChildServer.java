package dev.tandem.server.ops;

import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.server.Main;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server ({@link Main}) in a child JVM, for the tests that kill one with SIGKILL: its
 * process, the file its output goes to, and its port once it is ready.
 */
record ChildServer(Process process, Path out, int port) {
    /** The start-up line, as text or as JSON (which writes each / as \/). */
    private static final Pattern LISTENING = Pattern.compile("listening on http:\\\\?/\\\\?/[^:]+:(\\d+)");

    /**
     * The child's YAML, written into {@code dir}: a generated tiny checkpoint, loopback on a free port, one engine
     * thread, the master key, and {@code ownLines} (the test's store, cache and logging settings).
     */
    static Path writeConfig(Path dir, String masterKey, String ownLines) throws Exception {
        Path checkpoint = dir.resolve("tiny");
        CheckpointGenerator.write(checkpoint, GeneratorOptions.tiny());
        Path config = dir.resolve("tandem.yaml");
        Files.writeString(config, """
                server: {host: 127.0.0.1, port: 0, dataDir: "%s"}
                engine: {checkpoint: "%s", device: cpu, threads: 1}
                auth: {masterKey: %s}
                """.formatted(dir.resolve("data"), checkpoint, masterKey) + ownLines);
        return config;
    }

    /** Starts {@code Main --config config}, output into a file in {@code dir}, and waits until /ready says 200. */
    static ChildServer start(Path config, Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("server-" + System.nanoTime() + ".out");
        Process p = new ProcessBuilder(java, "-Xmx512m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        try {
            int port = awaitPort(p, out);
            awaitReady(port, p, out);
            return new ChildServer(p, out, port);
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /** A short chat request with an id, in either dialect, with the key in that dialect's usual header. */
    static HttpRequest request(int port, boolean anthropic, String secret, String id) {
        String body = "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi " + id + "\"}]}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + (anthropic ? "/v1/messages" : "/v1/chat/completions")))
                .header("content-type", "application/json").header("x-request-id", id)
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(60)); // a bound for a loaded machine
        return anthropic ? b.header("x-api-key", secret).build() : b.header("authorization", "Bearer " + secret).build();
    }

    /** Kills it with SIGKILL and waits until it is gone. */
    boolean kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor(10, TimeUnit.SECONDS);
    }

    private static int awaitPort(Process p, Path out) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(Files.readString(out, StandardCharsets.UTF_8));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            failIfDead(p, out);
            Thread.sleep(50);
        }
        throw new IllegalStateException("server did not start: " + Files.readString(out));
    }

    private static void awaitReady(int port, Process p, Path out) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                return;
            }
            failIfDead(p, out);
            Thread.sleep(50);
        }
        throw new IllegalStateException("the model did not load: " + Files.readString(out));
    }

    private static void failIfDead(Process p, Path out) throws Exception {
        if (!p.isAlive()) {
            throw new IllegalStateException("server process died: " + Files.readString(out));
        }
    }
}
