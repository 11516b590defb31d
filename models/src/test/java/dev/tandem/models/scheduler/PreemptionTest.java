package dev.tandem.models.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.EngineConfig;
import dev.tandem.models.FinishReason;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.scheduler.EngineFixture.Recorder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * More work than the KV pool holds: requests wait, running ones are preempted and recomputed, and every
 * one finishes with the output it has alone: to the bit on the paged reference step, with the same
 * tokens and logprobs within float32 rounding on the TorchScript step.
 */
class PreemptionTest {
    @TempDir Path dir;

    /** Opens an engine over one step or the other. */
    private interface Opener {
        LocalEngine open(Path dir, EngineConfig config, Set<Integer> eosIds);
    }

    static Stream<Arguments> steps() {
        return Stream.of(Arguments.of("paged reference", (Opener) EngineFixture::openReference, 0f),
                Arguments.of("TorchScript step, float32", (Opener) EngineFixture::open, 1e-4f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("steps")
    void aPoolForOneSequenceServesEightConcurrentOnesWithTheirOutputsAlone(String name, Opener opener, float tolerance) {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withMaxPositions(256));
        // Given a pool of 64 tokens (4 blocks of 16): one sequence of maxModelLen 64, and 4 running slots
        EngineConfig config = EngineConfig.builder(dir).withMaxRunning(4).withMaxWaiting(16).withMaxModelLen(64)
                .withKvTokenBudget(64).withBlockSize(16).withPrefillChunk(32).build();
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            // Some share a prefix, so that preempted sequences also come back through the prefix cache
            prompts.add(PrefixCachingTest.join(PrefixCachingTest.prefix(16, i % 3), PrefixCachingTest.prefix(4 + i, 40 + i)));
        }
        List<Recorder> alone;
        try (LocalEngine engine = opener.open(dir, config.toBuilder().withMaxRunning(1).build(), Set.of(2))) {
            alone = PrefixCachingTest.runInTurn(engine, prompts, 30);
        }
        try (LocalEngine engine = opener.open(dir, config, Set.of(2))) {
            // When all eight arrive at once: 20-27 prompt tokens and 30 new ones each, 2 to 4 blocks
            List<Recorder> together = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                Recorder r = new Recorder();
                engine.submit(PrefixCachingTest.request("p" + i, prompts.get(i), 30), r);
                together.add(r);
            }
            // Then each finishes with its output alone, although sequences were preempted
            for (Recorder r : together) {
                assertThat(r.reason()).isEqualTo(FinishReason.LENGTH);
            }
            PrefixCachingTest.assertSameOutputs(together, alone, tolerance);
            assertThat(engine.kvStats().preemptions()).isPositive();
            LocalEngineTest.awaitIdle(engine);
            assertThat(engine.load().kvTokensFree()).isEqualTo(64);
        }
    }
}
