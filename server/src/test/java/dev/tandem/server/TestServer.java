package dev.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.Engines;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.ops.ledger.UsageRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The real server on a loopback ephemeral port, on a tiny random checkpoint (model id "tiny"), for the ITs. */
public final class TestServer implements AutoCloseable {
    public static final String MODEL = "tiny";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a request, or the model's loading, may take: a bound for a loaded 2-core machine, never a speed expected. */
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private final Tandem tandem;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(Tandem tandem) {
        this.tandem = tandem;
    }

    /** @param settings extra dotted configuration keys ("engine.maxRunning" → "1") */
    public static TestServer start(Path dir, Map<String, String> settings) {
        return start(dir, settings, GeneratorOptions.tiny(), Engines::open, true);
    }

    /** A tiny model whose window holds long generations (for tests that must catch one running). */
    public static GeneratorOptions longContext() {
        return GeneratorOptions.tiny().withMaxPositions(8192);
    }

    /**
     * A tiny model whose window no test outlives, for {@link Hog}s: attention grows with the sequence, so filling
     * 65,536 positions takes the tiny model an hour on a CPU (8,192 take a quarter of a minute on an idle machine,
     * which a loaded one can spend between two lines of a test). 16 MiB of KV per running sequence.
     */
    public static GeneratorOptions hogContext() {
        return GeneratorOptions.tiny().withMaxPositions(65_536);
    }

    public static TestServer start(Path dir, Map<String, String> settings, GeneratorOptions model,
            Function<EngineConfig, Engine> opener, boolean awaitReady) {
        Path checkpoint = dir.resolve(MODEL);
        CheckpointGenerator.write(checkpoint, model);
        Map<String, String> overrides = new HashMap<>(Map.of(
                "server.host", "127.0.0.1",
                "server.port", "0",
                "server.dataDir", dir.resolve("data").toString(),
                "engine.checkpoint", checkpoint.toString(),
                "engine.device", "cpu",
                "engine.threads", "1",
                // operations: the dialect ITs run without keys and without the response cache (which would
                // make "greedy is deterministic" pass by replay); OpsEndToEndIT switches both on
                "auth.enabled", "false",
                "cache.enabled", "false",
                "ledger.database", dir.resolve("data").resolve("tandem.db").toString()));
        overrides.putAll(settings);
        TandemConfig config = ConfigLoader.load(null, Map.of(), overrides);
        Tandem tandem = Tandem.start(config, opener);
        if (awaitReady) {
            try {
                tandem.local().awaitReady(PATIENCE);
            } catch (Exception e) {
                tandem.close();
                throw new IllegalStateException("the test model did not load", e);
            }
        }
        return new TestServer(tandem);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + tandem.port();
    }

    public Tandem tandem() {
        return tandem;
    }

    public Engine engine() {
        return tandem.local().engine();
    }

    public HttpClient http() {
        return http;
    }

    public HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(PATIENCE)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(PATIENCE).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }

    /** The ledger's rows of one request (none until its outcome is recorded). */
    public List<UsageRecord> ledgerRows(String requestId) {
        return tandem.ops().ledger().rows(null, null, Integer.MAX_VALUE).stream().filter(r -> r.requestId().equals(requestId)).toList();
    }

    /** Waits until {@code n} sequences run (a submitted request waits for admission at the next step). */
    public boolean awaitRunning(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (engine().load().running() == n) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    /** Waits until the engine has no running or waiting sequence (cancellations take a step). */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var load = engine().load();
            if (load.running() == 0 && load.waiting() == 0) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Override
    public void close() {
        tandem.close();
    }
}
