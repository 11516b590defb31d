package dev.tandem.models.checkpoint;

import java.util.List;
import java.util.Objects;

/**
 * What {@link CheckpointGenerator} writes: the model's shape, the file layout and the random weights.
 * Start from {@link #tiny()} or {@link #shape110M()} and change fields with the withers.
 *
 * @param ropeScaling null: none
 * @param dtype how the weights are stored in the safetensors files
 * @param shards 1: {@code model.safetensors}; more: {@code model-0000N-of-0000M.safetensors} + index
 * @param weightScale spread of the random linear weights (uniform with this standard deviation)
 */
public record GeneratorOptions(
        int hiddenSize,
        int intermediateSize,
        int layers,
        int heads,
        int kvHeads,
        int vocabSize,
        int maxPositions,
        double ropeTheta,
        RopeScaling ropeScaling,
        TensorDtype dtype,
        int shards,
        boolean tieEmbeddings,
        long seed,
        double weightScale) {

    public GeneratorOptions {
        Objects.requireNonNull(dtype, "dtype");
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be >= 1");
        }
        if (vocabSize < LlamaTokenizerJson.MIN_VOCAB) {
            throw new IllegalArgumentException("vocabSize must be >= " + LlamaTokenizerJson.MIN_VOCAB
                    + " (special, byte and ASCII tokens)");
        }
        if (!(weightScale > 0)) {
            throw new IllegalArgumentException("weightScale must be > 0");
        }
        if (heads < 1 || hiddenSize % heads != 0) {
            throw new IllegalArgumentException("heads must be >= 1 and divide hiddenSize");
        }
        // validates sizes and heads as config.json would be (fields are not assigned yet: pass the parameters)
        toConfig(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling,
                tieEmbeddings, dtype);
    }

    /** Hidden 64, 2 layers, 4 heads sharing 2 KV heads, vocabulary 512: a model tests run in milliseconds. */
    public static GeneratorOptions tiny() {
        return new GeneratorOptions(64, 128, 2, 4, 2, 512, 512, 10000, null, TensorDtype.F32, 1, false, 42, 0.02);
    }

    /** The 110M benchmark shape: hidden 768, 12 layers, 12 heads, intermediate 2048, vocabulary 32,000. */
    public static GeneratorOptions shape110M() {
        return new GeneratorOptions(768, 2048, 12, 12, 12, 32000, 2048, 10000, null, TensorDtype.F32, 1, false, 42, 0.02);
    }

    /** The config.json these options describe. */
    public LlamaConfig config() {
        return toConfig(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling,
                tieEmbeddings, dtype);
    }

    private static LlamaConfig toConfig(int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
            int vocabSize, int maxPositions, double ropeTheta, RopeScaling ropeScaling, boolean tieEmbeddings,
            TensorDtype dtype) {
        return new LlamaConfig(List.of("LlamaForCausalLM"), "llama", hiddenSize, intermediateSize, heads, kvHeads, layers,
                hiddenSize / heads, 1e-5, ropeTheta, ropeScaling, maxPositions, vocabSize, tieEmbeddings,
                LlamaTokenizerJson.BOS_ID, List.of(LlamaTokenizerJson.EOS_ID), torchDtype(dtype));
    }

    /** The HF name of {@link #dtype()}: float32, float16 or bfloat16. */
    public String torchDtype() {
        return torchDtype(dtype);
    }

    private static String torchDtype(TensorDtype dtype) {
        return switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
        };
    }

    public GeneratorOptions withHiddenSize(int v) {
        return new GeneratorOptions(v, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withIntermediateSize(int v) {
        return new GeneratorOptions(hiddenSize, v, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withLayers(int v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, v, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, seed, weightScale);
    }

    /** Sets the query heads and, to keep the options valid, the KV heads when they no longer divide them. */
    public GeneratorOptions withHeads(int v) {
        int kv = v > 0 && v % kvHeads == 0 ? kvHeads : v;
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, v, kv, vocabSize, maxPositions, ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withKvHeads(int v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, v, vocabSize, maxPositions, ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withVocabSize(int v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, v, maxPositions, ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withMaxPositions(int v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, v, ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withRopeTheta(double v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, v, ropeScaling, dtype, shards, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withRopeScaling(RopeScaling v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, v, dtype, shards, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withDtype(TensorDtype v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling, v, shards, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withShards(int v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling, dtype, v, tieEmbeddings, seed, weightScale);
    }

    public GeneratorOptions withTieEmbeddings(boolean v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling, dtype, shards, v, seed, weightScale);
    }

    public GeneratorOptions withSeed(long v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, v, weightScale);
    }

    public GeneratorOptions withWeightScale(double v) {
        return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, seed, v);
    }
}
