package dev.tandem.server.remote;

import dev.tandem.server.fakes.FakeUpstream;

/** Configurations pointing at the fakes, with short timeouts so fault tests take milliseconds. */
final class Upstreams {
    private Upstreams() {}

    static Resilience fast() {
        return new Resilience(1_000L, 1_000L, 400L, 1_000L, 4096, 3, 5_000L, 20L, 200L, 0.2, 5, 500L, 8);
    }

    static RemoteConfig anthropic(FakeUpstream fake, Resilience r) {
        return new RemotesConfig(new RemoteConfig(true, fake.baseUrl(), fake.apiKey(), null, null, null, r), null).anthropic();
    }

    static RemoteConfig openai(FakeUpstream fake, Resilience r) {
        return new RemotesConfig(null, new RemoteConfig(true, fake.baseUrl(), fake.apiKey(), null, null, null, r)).openai();
    }
}
