package dev.tandem.models.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.models.EngineConfig;
import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.KvStats;
import dev.tandem.models.Prompt;
import dev.tandem.models.StopRules;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.scheduler.EngineFixture.Recorder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prefix caching changes no output. Over the paged float[] reference (each logit depends only on the
 * tokens before it) outputs with and without the cache must be identical to the bit, so any block the
 * scheduler hands out wrongly shows; over the TorchScript step (float32) the tokens are identical and
 * the logprobs agree within float32 rounding (cached keys were computed in other chunks).
 */
class PrefixCachingTest {
    private static final int BLOCK = 16;

    @TempDir static Path dir;

    @BeforeAll
    static void checkpoint() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withMaxPositions(256));
    }

    private static EngineConfig.Builder config() {
        return EngineConfig.builder(dir).withMaxRunning(4).withMaxWaiting(64).withPrefillChunk(24).withBlockSize(BLOCK);
    }

    static int[] prefix(int length, int salt) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 3 + (i * 53 + salt * 97) % 500;
        }
        return ids;
    }

    static int[] join(int[] a, int... b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Greedy with the 3 most likely alternatives' logprobs, EOS ignored. */
    static GenerationRequest request(String id, int[] prompt, int maxTokens) {
        return GenerationRequest.builder(id, Prompt.tokens(prompt)).withMaxTokens(maxTokens).withTopLogprobs(3)
                .withStop(new StopRules(List.of(), Set.of(), true, 0)).build();
    }

    /** The prompts of the story: a 48-token prompt, the same with a different end, a 40-token share, a different one. */
    static List<int[]> prompts() {
        int[] system = prefix(48, 1);
        return List.of(
                system,                                      // cold: caches 3 full blocks
                join(system, 400, 401, 402),                 // full hit: 48 of 51 tokens cached
                join(Arrays.copyOf(system, 40), 7, 8, 9),    // partial: 2 full blocks, the 3rd recomputed from 32
                system,                                      // same prompt: its last token recomputed, 32 cached
                prefix(30, 2));                              // nothing shared
    }

    static List<Recorder> runInTurn(LocalEngine engine, List<int[]> prompts, int maxTokens) {
        List<Recorder> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            Recorder r = new Recorder();
            engine.submit(request("p" + i, prompts.get(i), maxTokens), r);
            assertThat(r.reason()).isEqualTo(FinishReason.LENGTH);
            out.add(r);
        }
        return out;
    }

    static void assertSameOutputs(List<Recorder> actual, List<Recorder> expected, float logprobTolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).ids()).as("request %d", i).containsExactly(expected.get(i).ids());
            List<GenerationEvent.Token> a = actual.get(i).tokens;
            List<GenerationEvent.Token> e = expected.get(i).tokens;
            for (int t = 0; t < e.size(); t++) {
                for (int k = 0; k < 3; k++) {
                    assertThat(a.get(t).logprob().top().get(k).id()).isEqualTo(e.get(t).logprob().top().get(k).id());
                    float expectedLogprob = e.get(t).logprob().top().get(k).logprob();
                    if (logprobTolerance == 0) {
                        assertThat(a.get(t).logprob().top().get(k).logprob()).as("request %d token %d top %d", i, t, k)
                                .isEqualTo(expectedLogprob);
                    } else {
                        assertThat(a.get(t).logprob().top().get(k).logprob()).isCloseTo(expectedLogprob, within(logprobTolerance));
                    }
                }
            }
        }
    }

    @Test
    void fullAndPartialBlockHitsGiveTheOutputsOfNoCacheToTheBit() {
        // Given the same requests in turn on an engine without and one with prefix caching
        List<Recorder> cold;
        try (LocalEngine engine = EngineFixture.openReference(dir, config().withPrefixCaching(false).build(), Set.of(2))) {
            cold = runInTurn(engine, prompts(), 12);
            assertThat(engine.kvStats().counters()).isEqualTo(KvStats.NONE);
        }
        try (LocalEngine engine = EngineFixture.openReference(dir, config().build(), Set.of(2))) {
            List<Recorder> cached = runInTurn(engine, prompts(), 12);
            // Then every token and every logprob is the same
            assertSameOutputs(cached, cold, 0);
            // And usage says what the cache served: whole blocks, never a prompt's last token
            assertThat(cached.stream().map(r -> r.finished().usage().cachedPromptTokens()).toList())
                    .containsExactly(0, 48, 32, 32, 0);
            KvStats stats = engine.kvStats();
            assertThat(stats.prefixQueriedTokens()).isEqualTo(48 + 51 + 43 + 48 + 30);
            assertThat(stats.prefixHitTokens()).isEqualTo(48 + 32 + 32);
        }
        // With prefix caching off nothing was cached
        assertThat(cold.stream().mapToInt(r -> r.finished().usage().cachedPromptTokens()).sum()).isZero();
    }

    @Test
    void onTheTorchScriptStepTokensAreTheSameAndLogprobsAgreeWithinFloatRounding() {
        List<Recorder> cold;
        try (LocalEngine engine = EngineFixture.open(dir, config().withPrefixCaching(false).build(), Set.of(2))) {
            cold = runInTurn(engine, prompts(), 12);
        }
        try (LocalEngine engine = EngineFixture.open(dir, config().build(), Set.of(2))) {
            List<Recorder> cached = runInTurn(engine, prompts(), 12);
            assertSameOutputs(cached, cold, 1e-4f);
            assertThat(engine.kvStats().prefixHitTokens()).isEqualTo(48 + 32 + 32);
        }
    }

    @Test
    void sequencesSharingBlocksWhileTheyRunTogetherGiveTheirOutputsAlone() throws Exception {
        int[] system = prefix(64, 3);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            prompts.add(join(system, prefix(5 + i, 10 + i)));
        }
        // Given each request's output alone, without the cache
        List<Recorder> alone;
        try (LocalEngine engine = EngineFixture.openReference(dir, config().withPrefixCaching(false).build(), Set.of(2))) {
            alone = runInTurn(engine, prompts, 20);
        }
        try (LocalEngine engine = EngineFixture.openReference(dir, config().build(), Set.of(2))) {
            // When the first has computed the shared 64 tokens and the others arrive while it decodes
            Recorder first = new Recorder();
            engine.submit(request("first", prompts.get(0), 20), first);
            while (first.count() < 2) {
                Thread.sleep(1);
            }
            List<Recorder> together = new ArrayList<>(List.of(first));
            for (int i = 1; i < prompts.size(); i++) {
                Recorder r = new Recorder();
                engine.submit(request("shared-" + i, prompts.get(i), 20), r);
                together.add(r);
            }
            together.forEach(Recorder::finished);
            // Then they shared the 4 blocks and each output is its output alone, to the bit
            assertSameOutputs(together, alone, 0);
            for (int i = 1; i < prompts.size(); i++) {
                assertThat(together.get(i).finished().usage().cachedPromptTokens()).isEqualTo(64);
            }
        }
    }

    @Test
    void afterEvictionsUnderMemoryPressureOutputsAreStillTheSame() {
        // Given a pool of exactly one 128-token sequence (8 blocks) and prompts that cannot all stay cached
        EngineConfig small = config().withMaxModelLen(128).withKvTokenBudget(128).withMaxRunning(2).build();
        List<int[]> prompts = new ArrayList<>();
        for (int round = 0; round < 2; round++) {
            for (int p = 0; p < 4; p++) {
                // The second round goes backwards: the latest prompts are still cached, the first ones evicted
                int which = round == 0 ? p : 3 - p;
                prompts.add(join(prefix(48, 20 + which), prefix(3, round)));
            }
        }
        List<Recorder> cold;
        try (LocalEngine engine = EngineFixture.openReference(dir, small.toBuilder().withPrefixCaching(false).build(), Set.of(2))) {
            cold = runInTurn(engine, prompts, 16);
        }
        try (LocalEngine engine = EngineFixture.openReference(dir, small, Set.of(2))) {
            List<Recorder> cached = runInTurn(engine, prompts, 16);
            // Then cached blocks were evicted to make room, some prompts still hit, and nothing changed
            assertSameOutputs(cached, cold, 0);
            assertThat(engine.kvStats().evictedBlocks()).isPositive();
            assertThat(engine.kvStats().prefixHitTokens()).isPositive();
            assertThat(cached.get(4).finished().usage().cachedPromptTokens()).as("the latest prompt, back at once").isEqualTo(48);
            assertThat(cached.get(7).finished().usage().cachedPromptTokens()).as("the first prompt, long evicted").isZero();
            LocalEngineTest.awaitIdle(engine);
            assertThat(engine.load().kvTokensFree()).isEqualTo(128);
        }
    }
}
