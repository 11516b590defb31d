package dev.tandem.server.routing;

import dev.tandem.models.Engines;
import dev.tandem.server.TestServer;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeOpenAi;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * For the ITs of the whole server with both fake upstreams configured: one server per class, on a
 * one-slot, no-queue engine (easy to saturate), under the routing policy the class names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HybridServerSetup {
    protected final FakeAnthropic anthropic = new FakeAnthropic();
    protected final FakeOpenAi openai = new FakeOpenAi();
    protected TestServer server;

    /** The server's routing.policy. */
    protected abstract String policy();

    @BeforeAll
    void startServer(@TempDir Path dir) {
        Map<String, String> s = new HashMap<>();
        s.put("engine.maxRunning", "1");
        s.put("engine.maxWaiting", "0");
        s.put("routing.policy", policy());
        s.put("remotes.anthropic.baseUrl", anthropic.baseUrl());
        s.put("remotes.anthropic.apiKey", anthropic.apiKey());
        s.put("remotes.openai.baseUrl", openai.baseUrl());
        s.put("remotes.openai.apiKey", openai.apiKey());
        // a window no test outlives: the saturation tests hold the one slot with a Hog until they close it
        server = TestServer.start(dir, s, TestServer.hogContext(), Engines::open, true);
    }

    @AfterAll
    void stopServer() {
        server.close();
        anthropic.close();
        openai.close();
    }
}
