package dev.tandem.server.fakes;

import dev.tandem.server.remote.RemoteConfig;
import dev.tandem.server.remote.RemotesConfig;
import dev.tandem.server.remote.Resilience;
import dev.tandem.testkit.FakeUpstream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Configurations pointing at the fakes, with timeouts short enough that fault tests take a second or two, and long
 * enough that a fake's prompt answer meets them on a loaded machine ten times slower than a quiet one.
 */
public final class Upstreams {
    private Upstreams() {}

    /**
     * Connect, first-byte and idle timeouts of 1 s and a reply timeout of 2 s (a fault the tests inject lasts 3 s or
     * more), 3 attempts within 20 s, 20–200 ms backoff, a circuit of 5 open 500 ms, 8 at once.
     */
    public static Resilience fast() {
        return Defaults.CONFIG.remotes().get("anthropic").resilience().toBuilder()
                .withConnectTimeouts(1_000, 1_000)
                .withIdleTimeoutMs(1_000)
                .withReplyTimeoutMs(2_000)
                .withWholeReplyMaxTokens(4096)
                .withMaxAttempts(3, 20_000)
                .withBackoff(20, 200, 0.2)
                .withCircuit(5, 500)
                .withMaxConcurrent(8)
                .build();
    }

    /** The shipped anthropic upstream, enabled and pointing at {@code fake}. */
    public static RemoteConfig anthropic(FakeUpstream fake, Resilience r) {
        return at("anthropic", fake, r);
    }

    /** The shipped openai upstream, enabled and pointing at {@code fake}. */
    public static RemoteConfig openai(FakeUpstream fake, Resilience r) {
        return at("openai", fake, r);
    }

    private static RemoteConfig at(String name, FakeUpstream fake, Resilience r) {
        return Defaults.CONFIG.remotes().get(name).toBuilder()
                .withEnabled(true)
                .withBaseUrl(fake.baseUrl())
                .withApiKey(fake.apiKey())
                .withResilience(r)
                .build();
    }

    /** The remotes section with these upstreams only, in this order. */
    @SafeVarargs
    public static RemotesConfig remotes(Map.Entry<String, RemoteConfig>... upstreams) {
        Map<String, RemoteConfig> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, RemoteConfig> e : upstreams) {
            ordered.put(e.getKey(), e.getValue());
        }
        return new RemotesConfig(ordered);
    }
}
