package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.tandem.models.Engine;
import dev.tandem.models.Engines;
import dev.tandem.models.scheduler.LocalEngine;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The server's life around the model: answering before it is loaded, and a stream whose engine goes away. */
class LifecycleIT {

    @Test
    void healthAnswersAtOnceAndReadyOnlyOnceTheModelIsLoaded(@TempDir Path dir) throws Exception {
        // Given a model whose loading waits for a signal
        CountDownLatch mayLoad = new CountDownLatch(1);
        try (TestServer server = TestServer.start(dir, Map.of(), TestServer.longContext().withMaxPositions(512), config -> {
            try {
                mayLoad.await(120, TimeUnit.SECONDS); // the test's signal, never a time expected
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Engines.open(config);
        }, false)) {
            // Then, while it loads: alive, not ready, and requests are refused as retriable
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
            assertThat(server.get("/ready").statusCode()).isEqualTo(503);
            HttpResponse<String> early = server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            ErrorsIT.anthropicError(early, 529, "overloaded_error", "loading");
            assertThat(early.headers().firstValue("retry-after")).isPresent();

            // When it has loaded
            mayLoad.countDown();
            server.tandem().local().awaitReady(Duration.ofSeconds(120));

            assertThat(server.get("/ready").statusCode()).isEqualTo(200);
            assertThat(server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readyTurnsOnlyAfterTheEnginesWarmUpForwardsHaveRun(@TempDir Path dir) throws Exception {
        // Given the order of two things, recorded as they happen: the engine's warm-up line (logged once its
        // forwards at the scheduler's batch sizes have run) and the first /ready that answers 200
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Logger engineLog = (Logger) LoggerFactory.getLogger(LocalEngine.class);
        AppenderBase<ILoggingEvent> warmUps = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getFormattedMessage().startsWith("warm-up: ")) {
                    order.add("warm-up");
                }
            }
        };
        warmUps.start();
        // (attached as loading begins: the server sets its logging up when it starts)
        try (TestServer server = TestServer.start(dir, Map.of(), TestServer.longContext().withMaxPositions(512), config -> {
            engineLog.addAppender(warmUps);
            return Engines.open(config);
        }, false)) {
            // When /ready is asked until it answers 200 while the model loads
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (server.get("/ready").statusCode() != 200) {
                assertThat(System.nanoTime()).as("ready within 60 s").isLessThan(deadline);
                Thread.sleep(5);
            }
            order.add("ready");
            // Then the warm-up came first
            assertThat(order).containsExactly("warm-up", "ready");
        } finally {
            engineLog.detachAppender(warmUps);
        }
    }

    @Test
    void aStreamWhoseEngineStopsEndsWithAnErrorEventInEachDialect(@TempDir Path dir) throws Exception {
        // (an endless model: the Anthropic dialect has no ignore_eos, and a random model could end its stream
        // by itself before the engine stops; a window no test outlives, with KV for the two streams, so that
        // only the engine's stop ends them)
        try (TestServer server = TestServer.start(dir, Map.of("engine.kvTokenBudget", "131072"), TestServer.hogContext().withEndless(true),
                Engines::open, true)) {
            Engine engine = server.engine();
            // Given two streams that have begun, each of which would fill the window
            BufferedReader openAi = begin(server, "/v1/chat/completions",
                    "{\"model\":\"tiny\",\"max_tokens\":65000,\"ignore_eos\":true,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            BufferedReader anthropic = begin(server, "/v1/messages",
                    "{\"model\":\"tiny\",\"max_tokens\":65000,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

            // When the engine stops under them
            engine.close();

            // Then each stream ends with an error in its dialect, not a silent close
            String openAiRest = openAi.lines().collect(Collectors.joining("\n"));
            String anthropicRest = anthropic.lines().collect(Collectors.joining("\n"));
            assertThat(openAiRest).contains("data: {\"error\":").doesNotContain("[DONE]");
            assertThat(anthropicRest).contains("event: error\ndata: {\"type\":\"error\"").doesNotContain("message_stop");
        }
    }

    /** Starts a stream and reads its first frames; the reader holds the rest. */
    private static BufferedReader begin(TestServer server, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> response = server.http().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        for (int frames = 0; frames < 3; ) {
            String line = reader.readLine();
            assertThat(line).isNotNull();
            if (line.startsWith("data: ")) {
                frames++;
            }
        }
        return reader;
    }
}
