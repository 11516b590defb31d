package dev.tandem.models.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.KvStats;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.reference.PagedReferenceStep;
import dev.tandem.models.reference.ReferenceLlama;
import dev.tandem.models.step.ComputeDtype;
import dev.tandem.models.step.ModelStep;
import dev.tandem.models.step.TorchStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine is handed out only after forwards at the batch sizes its scheduler uses have run. */
class WarmupTest {
    @TempDir Path dir;

    /** A step (the paged reference or the TorchScript step) recording each forward's chunk lengths; optionally failing. */
    static final class RecordingStep implements ModelStep {
        final ModelStep inner;
        final List<int[]> forwards = new ArrayList<>();
        final boolean fail;
        boolean closed;

        RecordingStep(ModelStep inner, boolean fail) {
            this.inner = inner;
            this.fail = fail;
        }

        @Override
        public int blockSize() {
            return inner.blockSize();
        }

        @Override
        public int numBlocks() {
            return inner.numBlocks();
        }

        @Override
        public long bytesPerBlock() {
            return inner.bytesPerBlock();
        }

        @Override
        public long weightBytes() {
            return inner.weightBytes();
        }

        @Override
        public void allocateKv(int blocks) {
            inner.allocateKv(blocks);
        }

        @Override
        public int vocabSize() {
            return inner.vocabSize();
        }

        @Override
        public synchronized float[] forward(List<Chunk> chunks) {
            if (fail) {
                throw new IllegalStateException("the device is gone");
            }
            forwards.add(chunks.stream().mapToInt(c -> c.tokens().length).toArray());
            return inner.forward(chunks);
        }

        @Override
        public void close() {
            closed = true;
            inner.close();
        }
    }

    private RecordingStep step(boolean fail) {
        return step(fail, false);
    }

    private RecordingStep step(boolean fail, boolean torch) {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withMaxPositions(256));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            ModelStep inner = torch ? TorchStep.load(checkpoint, Device.cpu(), ComputeDtype.FLOAT32, 16, null)
                    : new PagedReferenceStep(ReferenceLlama.load(checkpoint), 16);
            return new RecordingStep(inner, fail);
        }
    }

    @ParameterizedTest(name = "TorchScript step: {0}")
    @ValueSource(booleans = {false, true})
    void openReturnsAfterDecodeBatchesUpToMaxRunningAndAPrefillChunkHaveRun(boolean torch) throws Exception {
        RecordingStep step = step(false, torch);
        EngineConfig config = EngineConfig.builder(dir).withMaxRunning(6).withPrefillChunk(40).withBlockSize(16).build();
        try (Checkpoint checkpoint = Checkpoint.open(dir);
                LocalEngine engine = EngineFixture.start(step, checkpoint, config, Set.of(2), -1)) {
            List<int[]> warmup;
            synchronized (step) {
                warmup = List.copyOf(step.forwards);
            }
            // Decode batches of 1, 2, 4 and 6 sequences, each twice, then a 40-token prefill twice
            assertThat(warmup).extracting(f -> f.length).containsExactly(1, 1, 2, 2, 4, 4, 6, 6, 1, 1);
            assertThat(warmup.subList(0, 8)).allMatch(f -> f.length > 0 && java.util.Arrays.stream(f).allMatch(n -> n == 1));
            assertThat(warmup.get(8)).containsExactly(40);
            // and left nothing behind: every block free, nothing cached or counted, no step counted
            assertThat(engine.load().kvTokensFree()).isEqualTo(engine.load().kvTokensTotal());
            KvStats.Blocks blocks = engine.kvStats().blocks();
            assertThat(blocks.used()).isZero();
            assertThat((long) blocks.free() * blocks.size()).isEqualTo(engine.load().kvTokensTotal());
            assertThat(engine.kvStats().counters()).isEqualTo(KvStats.NONE);
            assertThat(engine.steps()).isZero();
        }
        assertThat(step.closed).isTrue();
    }

    @Test
    void aFailingWarmUpFailsTheStartAndClosesTheStep() {
        RecordingStep step = step(true);
        EngineConfig config = EngineConfig.builder(dir).withMaxRunning(2).build();
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThatThrownBy(() -> EngineFixture.start(step, checkpoint, config, Set.of(2), -1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("the device is gone");
        }
        assertThat(step.closed).isTrue();
    }
}
