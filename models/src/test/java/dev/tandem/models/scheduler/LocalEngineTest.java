package dev.tandem.models.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.EngineSaturatedException;
import dev.tandem.models.FinishReason;
import dev.tandem.models.Generation;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.Prompt;
import dev.tandem.models.SamplingParams;
import dev.tandem.models.StopRules;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.scheduler.EngineFixture.Recorder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalEngineTest {
    private static final int EOS = 2;

    @TempDir static Path dir;
    private static Engine engine;

    @BeforeAll
    static void open() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withMaxPositions(256));
        engine = EngineFixture.open(dir, EngineConfig.builder(dir).withMaxRunning(4).withMaxWaiting(8).withPrefillChunk(8).build(),
                Set.of(EOS));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static Prompt prompt(int length, int salt) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 3 + (i * 37 + salt * 101) % 500;
        }
        return Prompt.tokens(ids);
    }

    static Recorder run(GenerationRequest request) {
        Recorder r = new Recorder();
        engine.submit(request, r);
        r.finished();
        return r;
    }

    /** Greedy without EOS stops, so that a generation runs its full length. */
    static GenerationRequest greedy(String id, Prompt prompt, int maxTokens) {
        return GenerationRequest.greedy(id, prompt, maxTokens).toBuilder().withStop(new StopRules(List.of(), Set.of(), true, 0)).build();
    }

    @Test
    void batchedGreedyEqualsUnbatchedWhileSequencesJoinAndLeave() throws Exception {
        // Given five requests with different prompt lengths (some longer than a prefill chunk) and lengths
        int[] promptLengths = {3, 20, 7, 1, 13};
        int[] maxTokens = {30, 12, 25, 8, 18};
        List<int[]> alone = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alone.add(run(greedy("alone-" + i, prompt(promptLengths[i], i), maxTokens[i])).ids());
        }
        // When they run together, submitted at staggered times so that they join and leave mid-stream
        List<Recorder> together = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Recorder r = new Recorder();
            engine.submit(greedy("batched-" + i, prompt(promptLengths[i], i), maxTokens[i]), r);
            together.add(r);
            while (r.count() < 2 && !r.done.isDone()) {
                Thread.sleep(1);
            }
        }
        // Then each output is token for token the unbatched one
        for (int i = 0; i < 5; i++) {
            assertThat(together.get(i).finished().reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(together.get(i).ids()).as("request %d", i).containsExactly(alone.get(i));
        }
        assertThat(alone.get(0)).hasSize(30);
    }

    @Test
    void aLongPromptIsPrefilledInChunksWhileRunningStreamsKeepGoing() throws Exception {
        // Given a running stream of 120 tokens, held at its 2nd token (the engine thread waits in its listener)
        // until the long prompt is in, so that 118 of its tokens are still to come however slow this thread is
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch atSecond = new CountDownLatch(1);
        CountDownLatch bSubmitted = new CountDownLatch(1);
        Recorder a = new Recorder();
        engine.submit(greedy("a", prompt(3, 1), 120), e -> {
            log.add("a");
            a.accept(e);
            if (e instanceof GenerationEvent.Token && a.count() == 2) {
                atSecond.countDown();
                await(bSubmitted);
            }
        });
        await(atSecond);
        // When a 200-token prompt arrives (25 prefill chunks of 8)
        log.add("submit-b");
        Recorder b = new Recorder();
        engine.submit(greedy("b", prompt(200, 2), 3), e -> {
            log.add("b");
            b.accept(e);
        });
        bSubmitted.countDown();
        b.finished();
        // Then the stream got a token at every step of b's prefill, not one long pause
        assertThat(a.finished().reason()).isEqualTo(FinishReason.LENGTH);
        int submitted = log.indexOf("submit-b");
        int firstB = log.indexOf("b");
        long aTokensMeanwhile = log.subList(submitted, firstB).stream().filter("a"::equals).count();
        assertThat(aTokensMeanwhile).isGreaterThanOrEqualTo(24);
    }

    @Test
    void seededSamplingIsReproducibleAloneAndInABusyBatch() throws Exception {
        SamplingParams sampling = SamplingParams.builder().withTemperature(1.5).withTopK(50).withTopP(0.95).withSeed(1234L).build();
        GenerationRequest request = greedy("seeded", prompt(5, 9), 24).toBuilder().withSampling(sampling).build();
        int[] first = run(request).ids();
        // Busy: three unseeded samplers and a greedy one run alongside
        List<Recorder> noise = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Recorder r = new Recorder();
            engine.submit(greedy("noise-" + i, prompt(4 + i, i), 40).toBuilder().withSampling(sampling.toBuilder().withSeed(null).build()).build(), r);
            noise.add(r);
        }
        int[] busy = run(request).ids();
        assertThat(busy).containsExactly(first);
        // a different seed gives a different stream (24 tokens at temperature 1.5 from 50 candidates)
        assertThat(run(request.toBuilder().withSampling(sampling.toBuilder().withSeed(99L).build()).build()).ids()).isNotEqualTo(first);
        noise.forEach(Recorder::finished);
    }

    @Test
    void stopStringSpanningTokensEndsTheOutputAndIsNotEmitted() {
        // Given a greedy output and a stop string made of the end of token 3 and the start of token 5
        Recorder free = run(greedy("free", Prompt.text("The quick brown fox"), 20));
        String text = free.text();
        String before = textOf(free, 3);
        String stop = text.substring(before.length() - 1, Math.min(text.length(), textOf(free, 5).length() + 1));
        assertThat(stop.length()).isGreaterThan(1);
        int at = text.indexOf(stop);
        // When the same request runs with that stop string
        Recorder stopped = run(greedy("stopped", Prompt.text("The quick brown fox"), 20).toBuilder().withStop(
                new StopRules(List.of("zzzz-never", stop), Set.of(), true, 0)).build());
        // Then the output is exactly the text before it, and it says which stop string matched
        assertThat(stopped.finished().reason()).isEqualTo(FinishReason.STOP);
        assertThat(stopped.finished().stopString()).isEqualTo(stop);
        assertThat(stopped.text()).isEqualTo(text.substring(0, at));
        assertThat(stopped.finished().usage().completionTokens()).isEqualTo(stopped.count());
    }

    private static String textOf(Recorder r, int tokens) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            sb.append(r.tokens.get(i).text());
        }
        return sb.toString();
    }

    @Test
    void stopTokenIdEndsWithStop() {
        int[] free = run(greedy("free", prompt(6, 3), 20)).ids();
        int stopId = free[4];
        int firstAt = Arrays.stream(free).boxed().toList().indexOf(stopId);
        Recorder r = run(greedy("stop-id", prompt(6, 3), 20).toBuilder().withStop(new StopRules(List.of(), Set.of(stopId), true, 0)).build());
        assertThat(r.reason()).isEqualTo(FinishReason.STOP);
        assertThat(r.ids()).containsExactly(Arrays.copyOf(free, firstAt + 1));
        assertThat(r.finished().stopString()).isNull();
    }

    @Test
    void minTokensSuppressesStopsUntilReached() {
        int[] free = run(greedy("free", prompt(6, 4), 20)).ids();
        // The very first token is made a stop id: without min_tokens the output is that one token
        StopRules stopAtFirst = new StopRules(List.of(), Set.of(free[0]), true, 0);
        assertThat(run(greedy("no-min", prompt(6, 4), 20).toBuilder().withStop(stopAtFirst).build()).ids()).containsExactly(free[0]);
        Recorder r = run(greedy("min", prompt(6, 4), 20).toBuilder().withStop(new StopRules(List.of(), Set.of(free[0]), true, 5)).build());
        assertThat(r.count()).isGreaterThanOrEqualTo(5);
        assertThat(Arrays.copyOf(r.ids(), 4)).doesNotContain(free[0]);
    }

    @Test
    void eosStopsUnlessIgnored() throws Exception {
        // The tiny model's EOS is whatever token the fixture declares: make it the 3rd greedy token
        int[] free = run(greedy("free", prompt(5, 7), 15)).ids();
        try (Engine withEos = EngineFixture.open(dir, EngineConfig.builder(dir).withMaxRunning(2).build(), Set.of(free[2]))) {
            Recorder stops = new Recorder();
            withEos.submit(GenerationRequest.greedy("eos", prompt(5, 7), 15), stops);
            int firstAt = Arrays.stream(free).boxed().toList().indexOf(free[2]);
            assertThat(stops.reason()).isEqualTo(FinishReason.STOP);
            assertThat(stops.ids()).containsExactly(Arrays.copyOf(free, firstAt + 1));
            Recorder ignores = new Recorder();
            withEos.submit(greedy("ignore", prompt(5, 7), 15), ignores);
            assertThat(ignores.reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(ignores.ids()).containsExactly(free);
        }
    }

    @Test
    void maxTokensEndsWithLengthAndUsage() {
        Recorder r = run(greedy("len", prompt(9, 1), 7));
        assertThat(r.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.finished().usage().promptTokens()).isEqualTo(9);
        assertThat(r.finished().usage().completionTokens()).isEqualTo(7).isEqualTo(r.count());
    }

    @Test
    void logprobsHaveTheAskedShapeAndAreAProbabilityDistribution() {
        Recorder r = run(greedy("lp", prompt(4, 2), 6).toBuilder().withTopLogprobs(5).build());
        assertThat(r.tokens).hasSize(6);
        for (GenerationEvent.Token t : r.tokens) {
            GenerationEvent.TokenLogprob lp = t.logprob();
            assertThat(lp.id()).isEqualTo(t.id());
            assertThat(lp.top()).hasSize(5);
            assertThat(lp.top().get(0).id()).isEqualTo(t.id()); // greedy picks the most likely
            assertThat(lp.logprob()).isLessThanOrEqualTo(0f).isEqualTo(lp.top().get(0).logprob());
            double mass = lp.top().stream().mapToDouble(x -> Math.exp(x.logprob())).sum();
            assertThat(mass).isLessThanOrEqualTo(1.0 + 1e-5).isGreaterThan(0);
            for (int k = 1; k < 5; k++) {
                assertThat(lp.top().get(k).logprob()).isLessThanOrEqualTo(lp.top().get(k - 1).logprob());
            }
        }
        assertThat(run(greedy("no-lp", prompt(4, 2), 2)).tokens.get(0).logprob()).isNull();
    }

    @Test
    void cancellationEndsTheGenerationAndFreesItsKv() {
        long total = engine.load().kvTokensTotal();
        // Given a 200-token generation held at its 3rd token until it has been cancelled
        CountDownLatch atThird = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        Recorder r = new Recorder();
        Generation g = engine.submit(greedy("cancel", prompt(5, 5), 200), e -> {
            r.accept(e);
            if (e instanceof GenerationEvent.Token && r.count() == 3) {
                atThird.countDown();
                await(cancelled);
            }
        });
        await(atThird);
        assertThat(engine.load().kvTokensFree()).isLessThan(total);
        assertThat(engine.kvStats().blocks().used()).isPositive();
        // When it is cancelled
        g.cancel();
        cancelled.countDown();
        // Then it ends before the next step, and its blocks return to the pool
        assertThat(r.reason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(r.count()).isEqualTo(3);
        awaitIdle(engine);
        assertThat(engine.load().kvTokensFree()).isEqualTo(total);
        assertThat(engine.kvStats().blocks().used()).isZero();
        assertThat((long) engine.kvStats().blocks().total() * engine.kvStats().blocks().size()).isEqualTo(total);
        assertThat(engine.load().running()).isZero();
    }

    @Test
    void aFullQueueRefusesWithSaturatedWhileAcceptedRequestsComplete() {
        try (Engine small = EngineFixture.open(dir, EngineConfig.builder(dir).withMaxRunning(1).withMaxWaiting(2).build(), Set.of(EOS))) {
            // Given one running and two waiting requests; the running one cannot finish before the 4th is tried
            // (held at its first token)
            CountDownLatch fourthTried = new CountDownLatch(1);
            List<Recorder> accepted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Recorder r = new Recorder();
                boolean first = i == 0;
                small.submit(greedy("q-" + i, prompt(4, i), 20), e -> {
                    r.accept(e);
                    if (first && e instanceof GenerationEvent.Token && r.count() == 1) {
                        await(fourthTried);
                    }
                });
                accepted.add(r);
            }
            // When a 4th arrives, it is refused as saturated with a retry hint
            assertThatThrownBy(() -> small.submit(greedy("refused", prompt(4, 9), 20), new Recorder()))
                    .isInstanceOf(EngineSaturatedException.class)
                    .satisfies(e -> assertThat(((EngineSaturatedException) e).retryAfter()).isPositive());
            assertThat(small.load().queueFull()).isTrue();
            fourthTried.countDown();
            // Then the accepted ones complete
            for (Recorder r : accepted) {
                assertThat(r.reason()).isEqualTo(FinishReason.LENGTH);
                assertThat(r.count()).isEqualTo(20);
            }
        }
    }

    @Test
    void invalidPromptsAreRefusedWithTheParameterAtFault() {
        assertThatThrownBy(() -> engine.submit(greedy("empty", Prompt.tokens(), 5), new Recorder()))
                .isInstanceOfSatisfying(InvalidGenerationException.class, e -> assertThat(e.param()).isEqualTo("prompt"));
        assertThatThrownBy(() -> engine.submit(greedy("empty-text", new Prompt.Text("", false), 5), new Recorder()))
                .isInstanceOfSatisfying(InvalidGenerationException.class, e -> assertThat(e.param()).isEqualTo("prompt"));
        assertThatThrownBy(() -> engine.submit(greedy("range", Prompt.tokens(5, 512), 5), new Recorder()))
                .isInstanceOfSatisfying(InvalidGenerationException.class, e -> assertThat(e.param()).isEqualTo("prompt"))
                .hasMessageContaining("512");
        assertThatThrownBy(() -> engine.submit(greedy("long", prompt(100, 1), 200), new Recorder()))
                .isInstanceOfSatisfying(InvalidGenerationException.class, e -> assertThat(e.param()).isEqualTo("max_tokens"))
                .hasMessageContaining("100").hasMessageContaining("256").hasMessageContaining("156");
    }

    @Test
    void aThrowingListenerCancelsOnlyItsOwnGeneration() {
        AtomicInteger calls = new AtomicInteger();
        Generation bad = engine.submit(greedy("bad", prompt(3, 3), 50), e -> {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
        });
        Recorder good = run(greedy("good", prompt(3, 4), 10));
        assertThat(good.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(calls.get()).isLessThan(50);
        assertThat(bad.id()).isEqualTo("bad");
    }

    @Test
    void aFailingSequenceEndsWithErrorWhileTheOthersAndTheEngineGoOn() {
        int[] poisoned = run(greedy("free", prompt(5, 8), 10)).ids();
        int poison = poisoned[3];
        try (Engine fragile = EngineFixture.open(dir, EngineConfig.builder(dir).withMaxRunning(4).build(), Set.of(EOS), poison)) {
            Recorder bad = new Recorder();
            Recorder good = new Recorder();
            fragile.submit(greedy("bad", prompt(5, 8), 10), bad);
            fragile.submit(greedy("good", prompt(6, 5), 10), good);
            assertThat(bad.reason()).isEqualTo(FinishReason.ERROR);
            assertThat(bad.finished().error()).contains("cannot decode token " + poison);
            assertThat(bad.count()).isLessThanOrEqualTo(3);
            boolean goodSawPoison = Arrays.stream(good.ids()).anyMatch(id -> id == poison);
            assertThat(good.reason()).isEqualTo(goodSawPoison ? FinishReason.ERROR : FinishReason.LENGTH);
            Recorder after = new Recorder();
            fragile.submit(greedy("after", prompt(4, 1), 3), after);
            assertThat(after.finished().usage().completionTokens()).isPositive();
            awaitIdle(fragile);
            assertThat(fragile.load().running()).isZero();
        }
    }

    @Test
    void closeCancelsRunningGenerationsAndRefusesNewOnes() throws Exception {
        Engine closing = EngineFixture.open(dir, EngineConfig.builder(dir).withMaxRunning(2).build(), Set.of(EOS));
        // Given a 200-token generation held at its 2nd token until the engine refuses new work
        CountDownLatch atSecond = new CountDownLatch(1);
        CountDownLatch refusing = new CountDownLatch(1);
        Recorder r = new Recorder();
        closing.submit(greedy("long", prompt(4, 4), 200), e -> {
            r.accept(e);
            if (e instanceof GenerationEvent.Token && r.count() == 2) {
                atSecond.countDown();
                await(refusing);
            }
        });
        await(atSecond);
        // When another thread closes the engine (close waits for the engine thread, held in the listener)
        CompletableFuture<Void> closed = CompletableFuture.runAsync(closing::close);
        // Then new submissions are refused as soon as close has begun; any accepted before it are cancelled too
        List<Recorder> early = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Recorder late = new Recorder();
            try {
                closing.submit(greedy("late", prompt(4, 4), 5), late);
                early.add(late);
            } catch (dev.tandem.models.EngineException refused) {
                assertThat(refused).isNotInstanceOf(EngineSaturatedException.class).hasMessageContaining("closed");
                break;
            }
            assertThat(System.nanoTime()).as("close did not begin within 60 s").isLessThan(deadline);
            Thread.sleep(1);
        }
        refusing.countDown();
        closed.get(60, TimeUnit.SECONDS);
        // and the running generation ends as cancelled
        assertThat(r.reason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(r.count()).isEqualTo(2);
        for (Recorder late : early) {
            assertThat(late.reason()).isEqualTo(FinishReason.CANCELLED);
        }
    }

    /** Waits on a latch with a generous bound (the machine may be busy); fails if it is never released. */
    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("not released within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Finished is emitted during a step; its slot and blocks are freed, and the load published, when the
     * step ends. Waits for that (a generous bound: the machine may be busy) and fails if it never comes.
     */
    static void awaitIdle(Engine e) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (e.load().running() > 0 || e.load().waiting() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the engine did not become idle within 60 s: " + e.load());
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the engine to become idle", ex);
            }
        }
    }
}
