package dev.tandem.models.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.EngineConfig;
import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.ProcessMemory;
import dev.tandem.models.Prompt;
import dev.tandem.models.SamplingParams;
import dev.tandem.models.StopRules;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.scheduler.EngineFixture.Recorder;
import dev.tandem.models.step.TorchStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of steps and hundreds of requests through the engine on the TorchScript step in bfloat16
 * (the production dtype on CPUs with AVX512_BF16) leave no native objects (TorchScript IValues, DJL
 * arrays) and no native memory behind, with prefix-cache hits and evictions, and preemptions under a KV
 * pool of one full sequence (192 tokens).
 */
class NativeMemoryTest {
    @TempDir Path dir;

    @Test
    void liveNativeObjectsAndRssReturnToBaseline() throws Exception {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withMaxPositions(256));
        EngineConfig config = EngineConfig.builder(dir).withComputeDtype("bfloat16").withMaxRunning(4).withMaxWaiting(1000)
                .withPrefillChunk(16).withKvTokenBudget(192).withMaxModelLen(192).build();
        try (LocalEngine engine = EngineFixture.open(dir, config, Set.of(2))) {
            // Warm-up: every code path (prefill chunks, decode, sampling, logprobs, cancel); the RSS
            // plateau is the highest reading over three warm-up waves (RSS climbs during the first two while
            // the JIT and malloc arenas settle, then wanders by ~40 MB without trend)
            long rssPlateau = 0;
            for (int wave = 0; wave < 3; wave++) {
                runWave(engine, 40, wave);
                rssPlateau = Math.max(rssPlateau, ProcessMemory.rssKb());
            }
            awaitIdle(engine);
            long objects = step(engine).liveNativeObjects();
            long stepsBefore = engine.steps();

            long rssHighest = 0;
            for (int wave = 3; wave < 8; wave++) {
                runWave(engine, 40, wave);
                rssHighest = Math.max(rssHighest, ProcessMemory.rssKb());
            }

            awaitIdle(engine);
            assertThat(engine.steps() - stepsBefore).isGreaterThan(1000);
            assertThat(engine.kvStats().prefixHitTokens()).isPositive();
            assertThat(engine.kvStats().evictedBlocks()).isPositive();
            assertThat(engine.kvStats().preemptions()).isPositive();
            assertThat(step(engine).liveNativeObjects()).isEqualTo(objects);
            // Native memory: no reading goes further than a generous 64 MB above the plateau
            assertThat(rssHighest - rssPlateau).isLessThan(64 * 1024);
        }
    }

    private static void runWave(LocalEngine engine, int requests, int wave) {
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            int kind = i % 4;
            // Every 4th prompt starts with the same 32 tokens: prefix-cache hits
            Prompt prompt = kind == 0
                    ? Prompt.tokens(PrefixCachingTest.join(PrefixCachingTest.prefix(32, 7), PrefixCachingTest.prefix(3 + i % 5, i + wave)))
                    : LocalEngineTest.prompt(3 + (i * 7) % 40, i + wave);
            GenerationRequest request = GenerationRequest.greedy("w" + wave + "-" + i, prompt, 10 + i % 40)
                    .toBuilder().withStop(new StopRules(List.of(), Set.of(), true, 0)).build();
            if (kind == 1) {
                request = request.toBuilder().withSampling(SamplingParams.builder().withTemperature(0.8).withTopP(0.9).withSeed((long) i).build()).build();
            } else if (kind == 2) {
                request = request.toBuilder().withTopLogprobs(3).build();
            }
            Recorder r = new Recorder();
            var generation = engine.submit(request, r);
            if (kind == 3 && i % 8 == 3) {
                generation.cancel();
            }
            recorders.add(r);
        }
        for (Recorder r : recorders) {
            assertThat(r.reason()).isIn(FinishReason.LENGTH, FinishReason.CANCELLED);
        }
    }

    /** Running drops to 0 only after the last step's manager is closed. */
    private static void awaitIdle(LocalEngine engine) {
        LocalEngineTest.awaitIdle(engine);
    }

    private static TorchStep step(LocalEngine engine) {
        return (TorchStep) engine.step();
    }
}
