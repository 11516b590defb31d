package dev.tandem.models.checkpoint;

import java.util.List;
import java.util.Objects;

/**
 * What {@link CheckpointGenerator} writes: the model's shape, the file layout and the random weights.
 * Start from {@link #tiny()} or {@link #shape110M()} and change fields with the withers (each one goes
 * through {@link #toBuilder()}; several changes at once read better on a {@link Builder}).
 *
 * @param ropeScaling null: none
 * @param dtype how the weights are stored in the safetensors files
 * @param shards 1: {@code model.safetensors}; more: {@code model-0000N-of-0000M.safetensors} + index
 * @param weightScale spread of the random linear weights (uniform with this standard deviation)
 * @param endless the model never ends a generation by itself: the end-of-sequence token's logit is hugely
 *     negative at every position (see {@link CheckpointGenerator}), for tests that need a long generation
 *     where a dialect has no {@code ignore_eos}; needs untied embeddings
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
        double weightScale,
        boolean endless) {

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
        if (endless && tieEmbeddings) {
            // the head's end-of-sequence row would be that token's embedding, which must hold the constant
            throw new IllegalArgumentException("an endless checkpoint needs untied embeddings");
        }
        // validates sizes and heads as config.json would be (fields are not assigned yet: pass the parameters)
        toConfig(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions, ropeTheta, ropeScaling,
                tieEmbeddings, dtype);
    }

    /** Hidden 64, 2 layers, 4 heads sharing 2 KV heads, vocabulary 512: a model tests run in milliseconds. */
    public static GeneratorOptions tiny() {
        return builder().build();
    }

    /** The 110M benchmark shape: hidden 768, 12 layers, 12 heads, intermediate 2048, vocabulary 32,000. */
    public static GeneratorOptions shape110M() {
        return builder().withHiddenSize(768).withIntermediateSize(2048).withLayers(12).withHeads(12).withKvHeads(12)
                .withVocabSize(32000).withMaxPositions(2048).build();
    }

    /** Starts from the {@link #tiny()} model. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .withHiddenSize(hiddenSize)
                .withIntermediateSize(intermediateSize)
                .withLayers(layers)
                .withHeads(heads)
                .withKvHeads(kvHeads)
                .withVocabSize(vocabSize)
                .withMaxPositions(maxPositions)
                .withRopeTheta(ropeTheta)
                .withRopeScaling(ropeScaling)
                .withDtype(dtype)
                .withShards(shards)
                .withTieEmbeddings(tieEmbeddings)
                .withSeed(seed)
                .withWeightScale(weightScale)
                .withEndless(endless);
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
        return toBuilder().withHiddenSize(v).build();
    }

    public GeneratorOptions withIntermediateSize(int v) {
        return toBuilder().withIntermediateSize(v).build();
    }

    public GeneratorOptions withLayers(int v) {
        return toBuilder().withLayers(v).build();
    }

    /** Sets the query heads and, to keep the options valid, the KV heads when they no longer divide them. */
    public GeneratorOptions withHeads(int v) {
        int kv = v > 0 && v % kvHeads == 0 ? kvHeads : v;
        return toBuilder().withHeads(v).withKvHeads(kv).build();
    }

    public GeneratorOptions withKvHeads(int v) {
        return toBuilder().withKvHeads(v).build();
    }

    public GeneratorOptions withVocabSize(int v) {
        return toBuilder().withVocabSize(v).build();
    }

    public GeneratorOptions withMaxPositions(int v) {
        return toBuilder().withMaxPositions(v).build();
    }

    public GeneratorOptions withRopeTheta(double v) {
        return toBuilder().withRopeTheta(v).build();
    }

    public GeneratorOptions withRopeScaling(RopeScaling v) {
        return toBuilder().withRopeScaling(v).build();
    }

    public GeneratorOptions withDtype(TensorDtype v) {
        return toBuilder().withDtype(v).build();
    }

    public GeneratorOptions withShards(int v) {
        return toBuilder().withShards(v).build();
    }

    public GeneratorOptions withTieEmbeddings(boolean v) {
        return toBuilder().withTieEmbeddings(v).build();
    }

    public GeneratorOptions withSeed(long v) {
        return toBuilder().withSeed(v).build();
    }

    public GeneratorOptions withWeightScale(double v) {
        return toBuilder().withWeightScale(v).build();
    }

    public GeneratorOptions withEndless(boolean v) {
        return toBuilder().withEndless(v).build();
    }

    /** Starts from the {@link #tiny()} model; {@link #build()} validates. */
    public static final class Builder {
        private int hiddenSize = 64;
        private int intermediateSize = 128;
        private int layers = 2;
        private int heads = 4;
        private int kvHeads = 2;
        private int vocabSize = 512;
        private int maxPositions = 512;
        private double ropeTheta = 10000;
        private RopeScaling ropeScaling;
        private TensorDtype dtype = TensorDtype.F32;
        private int shards = 1;
        private boolean tieEmbeddings;
        private long seed = 42;
        private double weightScale = 0.02;
        private boolean endless;

        private Builder() {}

        public Builder withHiddenSize(int v) {
            hiddenSize = v;
            return this;
        }

        public Builder withIntermediateSize(int v) {
            intermediateSize = v;
            return this;
        }

        public Builder withLayers(int v) {
            layers = v;
            return this;
        }

        public Builder withHeads(int v) {
            heads = v;
            return this;
        }

        public Builder withKvHeads(int v) {
            kvHeads = v;
            return this;
        }

        public Builder withVocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder withMaxPositions(int v) {
            maxPositions = v;
            return this;
        }

        public Builder withRopeTheta(double v) {
            ropeTheta = v;
            return this;
        }

        /** null: none. */
        public Builder withRopeScaling(RopeScaling v) {
            ropeScaling = v;
            return this;
        }

        public Builder withDtype(TensorDtype v) {
            dtype = v;
            return this;
        }

        public Builder withShards(int v) {
            shards = v;
            return this;
        }

        public Builder withTieEmbeddings(boolean v) {
            tieEmbeddings = v;
            return this;
        }

        public Builder withSeed(long v) {
            seed = v;
            return this;
        }

        public Builder withWeightScale(double v) {
            weightScale = v;
            return this;
        }

        public Builder withEndless(boolean v) {
            endless = v;
            return this;
        }

        public GeneratorOptions build() {
            return new GeneratorOptions(hiddenSize, intermediateSize, layers, heads, kvHeads, vocabSize, maxPositions,
                    ropeTheta, ropeScaling, dtype, shards, tieEmbeddings, seed, weightScale, endless);
        }
    }
}
