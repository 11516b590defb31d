package dev.tandem.models.reference;

import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.LlamaConfig;
import dev.tandem.models.checkpoint.LlamaTensors;
import dev.tandem.models.checkpoint.RopeScaling;

/**
 * A deliberately naive Llama forward pass on plain float arrays, written from HF's {@code
 * LlamaForCausalLM} and nothing else: the independent reference the NDArray engine is compared
 * against. No KV cache, no batching, no cleverness: every position recomputes attention over all
 * earlier positions, and every sum is a plain loop accumulated in double. Slow, and meant to be
 * obviously right.
 */
public final class ReferenceLlama {
    private final LlamaConfig config;
    private final float[][] embedTokens; // [vocab][hidden]
    private final Layer[] layers;
    private final float[] norm; // [hidden]
    private final float[][] lmHead; // [vocab][hidden], the embeddings when tied
    private final double[] invFreq; // [headDim / 2]

    /** One decoder layer's weights, HF layout: every matrix is [out][in]. */
    private record Layer(
            float[] inputLayernorm, // [hidden]
            float[][] wq, // [heads * headDim][hidden]
            float[][] wk, // [kvHeads * headDim][hidden]
            float[][] wv, // [kvHeads * headDim][hidden]
            float[][] wo, // [hidden][heads * headDim]
            float[] postAttentionLayernorm, // [hidden]
            float[][] gate, // [intermediate][hidden]
            float[][] up, // [intermediate][hidden]
            float[][] down) {} // [hidden][intermediate]

    private ReferenceLlama(LlamaConfig config, float[][] embedTokens, Layer[] layers, float[] norm, float[][] lmHead) {
        this.config = config;
        this.embedTokens = embedTokens;
        this.layers = layers;
        this.norm = norm;
        this.lmHead = lmHead;
        this.invFreq = inverseFrequencies(config);
    }

    /** Reads every weight of {@code checkpoint} into float arrays (widening F16/BF16). */
    public static ReferenceLlama load(Checkpoint checkpoint) {
        LlamaConfig c = checkpoint.config();
        Layer[] layers = new Layer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new Layer(
                    vector(checkpoint, LlamaTensors.attentionNorm(i)),
                    matrix(checkpoint, LlamaTensors.wq(i)),
                    matrix(checkpoint, LlamaTensors.wk(i)),
                    matrix(checkpoint, LlamaTensors.wv(i)),
                    matrix(checkpoint, LlamaTensors.wo(i)),
                    vector(checkpoint, LlamaTensors.ffnNorm(i)),
                    matrix(checkpoint, LlamaTensors.gate(i)),
                    matrix(checkpoint, LlamaTensors.up(i)),
                    matrix(checkpoint, LlamaTensors.down(i)));
        }
        float[][] embed = matrix(checkpoint, LlamaTensors.EMBED_TOKENS);
        float[][] head = c.tieWordEmbeddings() ? embed : matrix(checkpoint, LlamaTensors.LM_HEAD);
        return new ReferenceLlama(c, embed, layers, vector(checkpoint, LlamaTensors.NORM), head);
    }

    public LlamaConfig config() {
        return config;
    }

    /** Logits for every position: {@code result[t]} predicts the token after {@code tokens[t]}. */
    public float[][] logits(int[] tokens) {
        int seqLen = tokens.length;
        int headDim = config.headDim();

        // embedding lookup
        float[][] x = new float[seqLen][];
        for (int t = 0; t < seqLen; t++) {
            x[t] = embedTokens[tokens[t]].clone();
        }

        for (Layer layer : layers) {
            // self-attention block: x = x + o_proj(attention(rope(q), rope(k), v)) on the normed input
            float[][] q = new float[seqLen][];
            float[][] k = new float[seqLen][];
            float[][] v = new float[seqLen][];
            for (int t = 0; t < seqLen; t++) {
                float[] h = rmsNorm(x[t], layer.inputLayernorm());
                q[t] = matVec(layer.wq(), h);
                k[t] = matVec(layer.wk(), h);
                v[t] = matVec(layer.wv(), h);
                for (int head = 0; head < config.numAttentionHeads(); head++) {
                    rope(q[t], head * headDim, headDim, t, invFreq);
                }
                for (int head = 0; head < config.numKeyValueHeads(); head++) {
                    rope(k[t], head * headDim, headDim, t, invFreq);
                }
            }
            for (int t = 0; t < seqLen; t++) {
                float[] attention = new float[config.qDim()];
                for (int head = 0; head < config.numAttentionHeads(); head++) {
                    // grouped-query attention: query head `head` reads key/value head head / groupSize
                    int kvHead = head / config.groupSize();
                    attend(q, k, v, t, head * headDim, kvHead * headDim, headDim, attention);
                }
                add(x[t], matVec(layer.wo(), attention));
            }

            // MLP block: x = x + down(silu(gate(h)) * up(h)) on the normed input
            for (int t = 0; t < seqLen; t++) {
                float[] h = rmsNorm(x[t], layer.postAttentionLayernorm());
                float[] gate = matVec(layer.gate(), h);
                float[] up = matVec(layer.up(), h);
                float[] act = new float[gate.length];
                for (int i = 0; i < act.length; i++) {
                    act[i] = silu(gate[i]) * up[i];
                }
                add(x[t], matVec(layer.down(), act));
            }
        }

        // final norm and language-model head
        float[][] logits = new float[seqLen][];
        for (int t = 0; t < seqLen; t++) {
            logits[t] = matVec(lmHead, rmsNorm(x[t], norm));
        }
        return logits;
    }

    /**
     * Where one sequence's keys and values of earlier positions are kept between calls of {@link #next}
     * (RoPE already applied to the keys), per layer: {@code [kvHeads * headDim]} each.
     */
    public interface KvStore {
        void put(int layer, int position, float[] key, float[] value);

        float[] key(int layer, int position);

        float[] value(int layer, int position);
    }

    /**
     * The logits after {@code token} at {@code position} of a sequence whose positions before it are in
     * {@code kv}; this token's keys and values are put there first. The same sums in the same order as
     * {@link #logits}, one position at a time.
     */
    public float[] next(int token, int position, KvStore kv) {
        int headDim = config.headDim();
        float[] x = embedTokens[token].clone();
        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            float[] h = rmsNorm(x, layer.inputLayernorm());
            float[] q = matVec(layer.wq(), h);
            float[] k = matVec(layer.wk(), h);
            float[] v = matVec(layer.wv(), h);
            for (int head = 0; head < config.numAttentionHeads(); head++) {
                rope(q, head * headDim, headDim, position, invFreq);
            }
            for (int head = 0; head < config.numKeyValueHeads(); head++) {
                rope(k, head * headDim, headDim, position, invFreq);
            }
            kv.put(l, position, k, v);
            float[][] keys = new float[position + 1][];
            float[][] values = new float[position + 1][];
            for (int s = 0; s <= position; s++) {
                keys[s] = kv.key(l, s);
                values[s] = kv.value(l, s);
            }
            float[][] queries = new float[position + 1][];
            queries[position] = q;
            float[] attention = new float[config.qDim()];
            for (int head = 0; head < config.numAttentionHeads(); head++) {
                int kvHead = head / config.groupSize();
                attend(queries, keys, values, position, head * headDim, kvHead * headDim, headDim, attention);
            }
            add(x, matVec(layer.wo(), attention));

            h = rmsNorm(x, layer.postAttentionLayernorm());
            float[] gate = matVec(layer.gate(), h);
            float[] up = matVec(layer.up(), h);
            float[] act = new float[gate.length];
            for (int i = 0; i < act.length; i++) {
                act[i] = silu(gate[i]) * up[i];
            }
            add(x, matVec(layer.down(), act));
        }
        return matVec(lmHead, rmsNorm(x, norm));
    }

    /**
     * Causal softmax attention of query position {@code t} (one head, at {@code qOffset}) over key
     * positions 0..t (one KV head, at {@code kvOffset}); writes the head's output into {@code out}.
     */
    private static void attend(float[][] q, float[][] k, float[][] v, int t, int qOffset, int kvOffset, int headDim,
            float[] out) {
        double[] scores = new double[t + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s <= t; s++) {
            double dot = 0;
            for (int i = 0; i < headDim; i++) {
                dot += (double) q[t][qOffset + i] * k[s][kvOffset + i];
            }
            scores[s] = dot / Math.sqrt(headDim);
            max = Math.max(max, scores[s]);
        }
        double sum = 0;
        for (int s = 0; s <= t; s++) {
            scores[s] = Math.exp(scores[s] - max);
            sum += scores[s];
        }
        for (int i = 0; i < headDim; i++) {
            double acc = 0;
            for (int s = 0; s <= t; s++) {
                acc += scores[s] / sum * v[s][kvOffset + i];
            }
            out[qOffset + i] = (float) acc;
        }
    }

    /** RMSNorm: {@code weight * x / sqrt(mean(x²) + eps)}. */
    float[] rmsNorm(float[] x, float[] weight) {
        double sumSquares = 0;
        for (float value : x) {
            sumSquares += (double) value * value;
        }
        double scale = 1.0 / Math.sqrt(sumSquares / x.length + config.rmsNormEps());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (weight[i] * (x[i] * scale));
        }
        return out;
    }

    /**
     * HF's rotary embedding with rotate_half: the head's vector is split into halves (x1, x2), and
     * pair i = (x1[i], x2[i]) turns by the angle {@code position * invFreq[i]}.
     */
    static void rope(float[] vector, int offset, int headDim, int position, double[] invFreq) {
        int half = headDim / 2;
        for (int i = 0; i < half; i++) {
            double angle = position * invFreq[i];
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            double x1 = vector[offset + i];
            double x2 = vector[offset + half + i];
            vector[offset + i] = (float) (x1 * cos - x2 * sin);
            vector[offset + half + i] = (float) (x2 * cos + x1 * sin);
        }
    }

    /** {@code 1 / theta^(2i / headDim)}, divided by the factor for linear scaling, HF's llama3 rule for llama3. */
    static double[] inverseFrequencies(LlamaConfig config) {
        int headDim = config.headDim();
        double[] invFreq = new double[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = 1.0 / Math.pow(config.ropeTheta(), (double) (2 * i) / headDim);
        }
        RopeScaling scaling = config.ropeScaling();
        if (scaling == null) {
            return invFreq;
        }
        for (int i = 0; i < invFreq.length; i++) {
            if (scaling.type().equals(RopeScaling.LINEAR)) {
                invFreq[i] = invFreq[i] / scaling.factor();
            } else {
                double wavelength = 2 * Math.PI / invFreq[i];
                double lowFreqWavelength = scaling.originalMaxPositionEmbeddings() / scaling.lowFreqFactor();
                double highFreqWavelength = scaling.originalMaxPositionEmbeddings() / scaling.highFreqFactor();
                if (wavelength > lowFreqWavelength) {
                    invFreq[i] = invFreq[i] / scaling.factor();
                } else if (wavelength >= highFreqWavelength) {
                    double smooth = (scaling.originalMaxPositionEmbeddings() / wavelength - scaling.lowFreqFactor())
                            / (scaling.highFreqFactor() - scaling.lowFreqFactor());
                    invFreq[i] = (1 - smooth) * invFreq[i] / scaling.factor() + smooth * invFreq[i];
                }
            }
        }
        return invFreq;
    }

    private static float silu(float x) {
        return (float) (x / (1 + Math.exp(-x)));
    }

    /** {@code w · x} for w stored [out][in]. */
    private static float[] matVec(float[][] w, float[] x) {
        float[] out = new float[w.length];
        for (int row = 0; row < w.length; row++) {
            double acc = 0;
            for (int col = 0; col < x.length; col++) {
                acc += (double) w[row][col] * x[col];
            }
            out[row] = (float) acc;
        }
        return out;
    }

    private static void add(float[] x, float[] delta) {
        for (int i = 0; i < x.length; i++) {
            x[i] += delta[i];
        }
    }

    private static float[] vector(Checkpoint checkpoint, String name) {
        return checkpoint.tensor(name).toFloats();
    }

    private static float[][] matrix(Checkpoint checkpoint, String name) {
        var view = checkpoint.tensor(name);
        long[] shape = view.shape();
        float[] flat = view.toFloats();
        float[][] rows = new float[(int) shape[0]][(int) shape[1]];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(flat, r * rows[r].length, rows[r], 0, rows[r].length);
        }
        return rows;
    }
}
