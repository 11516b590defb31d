package dev.tandem.models.reference;

import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.checkpoint.RopeScaling;
import dev.tandem.models.checkpoint.TensorDtype;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The generated checkpoints every forward pass is held against the reference on: name, options. */
public final class GeneratedModels {
    private GeneratedModels() {}

    /** Grouped and plain attention, RoPE bases and scaling, F32 / F16 / BF16 files, tied and sharded weights. */
    public static Stream<Arguments> variety() {
        GeneratorOptions tiny = GeneratorOptions.tiny().withWeightScale(0.2);
        return Stream.of(
                Arguments.of("GQA, theta 10k, F32", tiny),
                Arguments.of("no GQA, theta 10k, F32", tiny.withKvHeads(4)),
                Arguments.of("GQA, theta 1M, F32", tiny.withRopeTheta(1_000_000)),
                Arguments.of("no GQA, theta 1M, F16", tiny.withKvHeads(4).withRopeTheta(1_000_000).withDtype(TensorDtype.F16)),
                Arguments.of("GQA 4:1, theta 10k, BF16", tiny.withKvHeads(1).withDtype(TensorDtype.BF16)),
                Arguments.of("tied embeddings, 2 shards, F16", tiny.withTieEmbeddings(true).withShards(2).withDtype(TensorDtype.F16)),
                Arguments.of("linear rope scaling x4", tiny.withRopeScaling(RopeScaling.linear(4))));
    }
}
