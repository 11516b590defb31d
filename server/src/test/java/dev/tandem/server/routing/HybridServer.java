package dev.tandem.server.routing;

import dev.tandem.models.Engines;
import dev.tandem.server.TestServer;
import dev.tandem.server.fakes.FakeAnthropic;
import dev.tandem.server.fakes.FakeOpenAi;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The whole server on a one-slot, no-queue engine with both fake upstreams configured, under a routing policy. */
final class HybridServer implements AutoCloseable {
    final FakeAnthropic anthropic = new FakeAnthropic();
    final FakeOpenAi openai = new FakeOpenAi();
    final TestServer server;

    HybridServer(Path dir, String policy) {
        Map<String, String> s = new HashMap<>();
        s.put("engine.maxRunning", "1");
        s.put("engine.maxWaiting", "0");
        s.put("routing.policy", policy);
        s.put("remotes.anthropic.baseUrl", anthropic.baseUrl());
        s.put("remotes.anthropic.apiKey", anthropic.apiKey());
        s.put("remotes.openai.baseUrl", openai.baseUrl());
        s.put("remotes.openai.apiKey", openai.apiKey());
        this.server = TestServer.start(dir, s, TestServer.longContext(), Engines::open, true);
    }

    @Override
    public void close() {
        server.close();
        anthropic.close();
        openai.close();
    }
}
