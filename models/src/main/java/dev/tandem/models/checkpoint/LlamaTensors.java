package dev.tandem.models.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HF names and shapes of a LlamaForCausalLM's weights. Linear weights are stored as HF does, {@code
 * [out, in]}; {@code lm_head.weight} is absent when the embeddings are tied.
 */
public final class LlamaTensors {
    public static final String EMBED_TOKENS = "model.embed_tokens.weight";
    public static final String NORM = "model.norm.weight";
    public static final String LM_HEAD = "lm_head.weight";

    private LlamaTensors() {}

    /** A weight the model needs: its HF name and its shape. */
    public record Spec(String name, long[] shape) {
        public Spec {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && name.equals(s.name) && Arrays.equals(shape, s.shape);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    public static String wq(int layer) {
        return layer(layer) + "self_attn.q_proj.weight";
    }

    public static String wk(int layer) {
        return layer(layer) + "self_attn.k_proj.weight";
    }

    public static String wv(int layer) {
        return layer(layer) + "self_attn.v_proj.weight";
    }

    public static String wo(int layer) {
        return layer(layer) + "self_attn.o_proj.weight";
    }

    public static String gate(int layer) {
        return layer(layer) + "mlp.gate_proj.weight";
    }

    public static String up(int layer) {
        return layer(layer) + "mlp.up_proj.weight";
    }

    public static String down(int layer) {
        return layer(layer) + "mlp.down_proj.weight";
    }

    public static String attentionNorm(int layer) {
        return layer(layer) + "input_layernorm.weight";
    }

    public static String ffnNorm(int layer) {
        return layer(layer) + "post_attention_layernorm.weight";
    }

    /** Every weight {@code c} needs, in a natural loading order: embeddings, layer by layer, norm, head. */
    public static List<Spec> expected(LlamaConfig c) {
        long hidden = c.hiddenSize();
        long inter = c.intermediateSize();
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec(EMBED_TOKENS, new long[] {c.vocabSize(), hidden}));
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            specs.add(new Spec(attentionNorm(i), new long[] {hidden}));
            specs.add(new Spec(wq(i), new long[] {c.qDim(), hidden}));
            specs.add(new Spec(wk(i), new long[] {c.kvDim(), hidden}));
            specs.add(new Spec(wv(i), new long[] {c.kvDim(), hidden}));
            specs.add(new Spec(wo(i), new long[] {hidden, c.qDim()}));
            specs.add(new Spec(ffnNorm(i), new long[] {hidden}));
            specs.add(new Spec(gate(i), new long[] {inter, hidden}));
            specs.add(new Spec(up(i), new long[] {inter, hidden}));
            specs.add(new Spec(down(i), new long[] {hidden, inter}));
        }
        specs.add(new Spec(NORM, new long[] {hidden}));
        if (!c.tieWordEmbeddings()) {
            specs.add(new Spec(LM_HEAD, new long[] {c.vocabSize(), hidden}));
        }
        return specs;
    }

    private static String layer(int i) {
        return "model.layers." + i + ".";
    }
}
