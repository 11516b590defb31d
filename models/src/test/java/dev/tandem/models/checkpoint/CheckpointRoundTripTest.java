package dev.tandem.models.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointRoundTripTest {
    @TempDir
    Path dir;

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(TensorDtype.F32, 1),
                Arguments.of(TensorDtype.F32, 3),
                Arguments.of(TensorDtype.F16, 1),
                Arguments.of(TensorDtype.F16, 3),
                Arguments.of(TensorDtype.BF16, 1),
                Arguments.of(TensorDtype.BF16, 3));
    }

    @ParameterizedTest(name = "{0} in {1} file(s)")
    @MethodSource("layouts")
    void generatedCheckpointOpensValidatesAndReadsBackWhatWasWritten(TensorDtype dtype, int shards) {
        // Given a tiny checkpoint written with this dtype and sharding
        GeneratorOptions options = GeneratorOptions.tiny().withDtype(dtype).withShards(shards);
        CheckpointGenerator.write(dir, options);

        // When it is opened and validated
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            checkpoint.validate();

            // Then the layout is the one asked for
            assertThat(checkpoint.weightFiles()).hasSize(shards);
            assertThat(Files.exists(dir.resolve(Checkpoint.WEIGHTS_INDEX))).isEqualTo(shards > 1);
            assertThat(checkpoint.config()).isEqualTo(options.config());
            assertThat(checkpoint.tensorNames()).hasSize(LlamaTensors.expected(options.config()).size());

            // and every tensor holds the generated values, rounded to the dtype
            double relative = switch (dtype) {
                case F32 -> 0;
                case F16 -> 1.0 / 1024;
                case BF16 -> 1.0 / 128;
            };
            long bytes = 0;
            for (LlamaTensors.Spec spec : LlamaTensors.expected(options.config())) {
                TensorView view = checkpoint.tensor(spec.name());
                assertThat(view.dtype()).isEqualTo(dtype);
                assertThat(view.shape()).isEqualTo(spec.shape());
                float[] read = view.toFloats();
                float[] written = CheckpointGenerator.values(options, spec.name(), read.length);
                for (int i = 0; i < read.length; i++) {
                    assertThat(read[i]).as("%s[%d]", spec.name(), i)
                            .isCloseTo(written[i], within(tolerance(dtype, written[i], relative)));
                }
                bytes += view.byteSize();
            }
            assertThat(checkpoint.totalBytes()).isEqualTo(bytes);
        }
    }

    /** Half the spacing of representable values around {@code v}; F16 subnormals have a fixed spacing of 2^-24. */
    private static float tolerance(TensorDtype dtype, float v, double relative) {
        double subnormalSpacing = dtype == TensorDtype.F16 ? 0x1p-25 : 0;
        return (float) Math.max(Math.abs(v) * relative, subnormalSpacing);
    }

    @Test
    void shardingAndDtypeDoNotChangeTheValues() {
        GeneratorOptions options = GeneratorOptions.tiny();
        Path single = CheckpointGenerator.write(dir.resolve("single"), options);
        Path sharded = CheckpointGenerator.write(dir.resolve("sharded"), options.withShards(3));
        try (Checkpoint a = Checkpoint.open(single); Checkpoint b = Checkpoint.open(sharded)) {
            for (String name : a.tensorNames()) {
                assertThat(b.tensor(name).toFloats()).as(name).isEqualTo(a.tensor(name).toFloats());
            }
        }
    }

    @Test
    void dataIsAReadOnlyLittleEndianSliceOfExactlyOneTensor() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            TensorView norm = checkpoint.tensor(LlamaTensors.NORM);
            var data = norm.data();
            assertThat(data.isReadOnly()).isTrue();
            assertThat(data.remaining()).isEqualTo(64 * 4);
            assertThat(data.getFloat(0)).isEqualTo(norm.toFloats()[0]);
        }
    }

    @Test
    void tiedEmbeddingsHaveNoLmHead() {
        GeneratorOptions options = GeneratorOptions.tiny().withTieEmbeddings(true);
        CheckpointGenerator.write(dir, options);
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            checkpoint.validate();
            assertThat(checkpoint.config().tieWordEmbeddings()).isTrue();
            assertThat(checkpoint.hasTensor(LlamaTensors.LM_HEAD)).isFalse();
        }
    }

    @Test
    void sidecarFilesAreRead() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            assertThat(checkpoint.generationDefaults().eosTokenIds()).containsExactly(2);
            assertThat(checkpoint.generationDefaults().temperature()).isEqualTo(0.6);
            TokenizerSettings t = checkpoint.tokenizerSettings();
            assertThat(t.bosToken()).isEqualTo("<s>");
            assertThat(t.eosToken()).isEqualTo("</s>");
            assertThat(t.addBosToken()).isTrue();
            assertThat(t.chatTemplate()).isEqualTo(CheckpointGenerator.LLAMA2_CHAT_TEMPLATE);
            assertThat(checkpoint.tokenizerJson()).exists();
        }
    }
}
