package dev.tandem.server.ops.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.RouteReason;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.ops.ScriptedBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CachingBackendTest {
    final AtomicInteger hits = new AtomicInteger();
    final AtomicInteger misses = new AtomicInteger();
    final AtomicInteger served = new AtomicInteger();
    /** Each answer differs ("answer-1", "answer-2", …), so a replay is told apart from a recomputation. */
    final ScriptedBackend upstream = ScriptedBackend.scripted("local",
            r -> ScriptedBackend.answer("local", "m", "answer-" + served.incrementAndGet(), 4));
    final AtomicLong nanos = new AtomicLong();

    CachingBackend cache(CacheConfig config) {
        return new CachingBackend(upstream, config.perKey(), new MemoryAnswerStore(config, nanos::get), hits::incrementAndGet, misses::incrementAndGet);
    }

    static InferenceRequest greedy(String text, String keyId) {
        return Requests.chat("m", text)
                .withSampling(Sampling.builder().withTemperature(0.0).build())
                .withCaller(new Caller(keyId, null, Caller.Limits.NONE))
                .build();
    }

    static List<InferenceEvent> run(CachingBackend b, InferenceRequest r) {
        List<InferenceEvent> events = new ArrayList<>();
        b.start(r, events::add);
        return events;
    }

    @Test
    void aHitReplaysTheOriginalEventsMarkedAsCache() {
        CachingBackend b = cache(Defaults.CONFIG.cache());
        List<InferenceEvent> first = run(b, greedy("hi", "key_a"));
        List<InferenceEvent> second = run(b, greedy("hi", "key_a"));

        assertThat(upstream.received).hasSize(1);
        assertThat(((InferenceEvent.Started) second.get(0)).route()).isEqualTo(RouteReason.CACHE);
        assertThat(second.subList(1, second.size())).isEqualTo(first.subList(1, first.size()));
        assertThat(hits.get()).isEqualTo(1);
        assertThat(misses.get()).isEqualTo(1);
    }

    @Test
    void answersNeverCrossKeysUnlessShared() {
        CachingBackend isolated = cache(Defaults.CONFIG.cache());
        run(isolated, greedy("hi", "key_a"));
        List<InferenceEvent> other = run(isolated, greedy("hi", "key_b"));
        assertThat(upstream.received).hasSize(2);
        assertThat(((InferenceEvent.Started) other.get(0)).route()).isNotEqualTo(RouteReason.CACHE);

        CachingBackend shared = cache(Defaults.CONFIG.cache().toBuilder().withPerKey(false).build());
        run(shared, greedy("yo", "key_a"));
        run(shared, greedy("yo", "key_b"));
        assertThat(upstream.received).hasSize(3);
    }

    @Test
    void sampledRequestsAndDifferentPromptsAreNotCached() {
        CachingBackend b = cache(Defaults.CONFIG.cache());
        run(b, Requests.chat("m", "hi").build());
        run(b, Requests.chat("m", "hi").build());
        run(b, greedy("a", "k"));
        run(b, greedy("b", "k"));
        assertThat(upstream.received).hasSize(4);
        assertThat(hits.get()).isZero();
    }

    @Test
    void failedAndCancelledAnswersAreNotKept() {
        ScriptedBackend failing = ScriptedBackend.scripted("openai", r -> List.of(
                new InferenceEvent.Started("openai", "g", 1),
                new InferenceEvent.Failed(new ApiException(ErrorKind.UPSTREAM, "boom"))));
        CachingBackend b = new CachingBackend(failing, true, new MemoryAnswerStore(Defaults.CONFIG.cache()), hits::incrementAndGet, misses::incrementAndGet);
        run(b, greedy("x", "k"));
        run(b, greedy("x", "k"));
        assertThat(failing.received).hasSize(2);

        ScriptedBackend open = ScriptedBackend.holdingOpen("local", r -> ScriptedBackend.answer("local", "m", "abc", 1));
        CachingBackend c = new CachingBackend(open, true, new MemoryAnswerStore(Defaults.CONFIG.cache()), hits::incrementAndGet, misses::incrementAndGet);
        c.start(greedy("y", "k"), e -> {}).cancel();
        // the engine finishing after the cancel must not store the partial answer
        open.lastSink.accept(new InferenceEvent.Finished(dev.tandem.server.core.StopReason.END_TURN,
                new dev.tandem.server.core.TokenUsage(1, 3), null));
        // so the same request reaches the backend again
        c.start(greedy("y", "k"), e -> {}).cancel();
        assertThat(open.received).hasSize(2);
    }

    @Test
    void aDefaultedMaxTokensIsNotTheSameRequestAsAnExplicitOne() {
        // a defaulted max_tokens may be lowered to fit the window; the same number sent explicitly is refused
        CachingBackend b = cache(Defaults.CONFIG.cache());
        InferenceRequest explicit = greedy("hi", "k");
        InferenceRequest defaulted = explicit.toBuilder().withMaxTokens(explicit.maxTokens(), true).build();
        run(b, defaulted);
        run(b, explicit);
        assertThat(upstream.received).hasSize(2);
    }

    @Test
    void entriesExpireAfterTheTtl() {
        CachingBackend b = cache(Defaults.CONFIG.cache().toBuilder().withTtlSeconds(60).build());
        run(b, greedy("hi", "k"));
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        run(b, greedy("hi", "k"));
        assertThat(upstream.received).hasSize(2);
    }

    @Test
    void anAnswerServedByAFallbackDuringSaturationIsNotKeptForCallsThatLocalWouldServe() {
        // Given a dispatcher that, at a saturated moment, lets a remote serve, and then local again
        AtomicInteger call = new AtomicInteger();
        ScriptedBackend router = ScriptedBackend.scripted("router", r -> call.incrementAndGet() == 1
                ? withRoute(ScriptedBackend.answer("anthropic", "claude", "remote", 4), RouteReason.SATURATED)
                : ScriptedBackend.answer("local", "m", "local-" + call.get(), 4));
        CachingBackend b = new CachingBackend(router, true, new MemoryAnswerStore(Defaults.CONFIG.cache()), hits::incrementAndGet, misses::incrementAndGet);

        // When the same deterministic request comes once while saturated and then twice normally
        run(b, greedy("hi", "k"));
        List<InferenceEvent> normal = run(b, greedy("hi", "k"));
        List<InferenceEvent> again = run(b, greedy("hi", "k"));

        // Then the remote's answer was not replayed: local served, and its own answer is the one kept
        assertThat(((InferenceEvent.Started) normal.get(0)).backend()).isEqualTo("local");
        assertThat(((InferenceEvent.Started) normal.get(0)).route()).isEqualTo(RouteReason.PRIMARY);
        assertThat(((InferenceEvent.Started) again.get(0)).route()).isEqualTo(RouteReason.CACHE);
        assertThat(again.subList(1, again.size())).isEqualTo(normal.subList(1, normal.size()));
        assertThat(router.received).hasSize(2);
    }

    private static List<InferenceEvent> withRoute(List<InferenceEvent> events, RouteReason route) {
        List<InferenceEvent> out = new ArrayList<>(events);
        out.set(0, ((InferenceEvent.Started) events.get(0)).withRoute(route));
        return out;
    }
}
