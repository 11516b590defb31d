package dev.tandem.models.llama;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.LlamaConfig;
import dev.tandem.models.checkpoint.LlamaTensors;
import dev.tandem.models.checkpoint.LoadProgress;
import dev.tandem.models.checkpoint.TensorView;
import dev.tandem.models.step.ModelStep;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-family model (HF {@code LlamaForCausalLM}) with its weights on a DJL device, and its forward
 * pass over a batch of sequences that read and write a paged {@link KvCache}. Served through
 * {@link LlamaStep} until the TorchScript step replaces both.
 *
 * <p>Layout for speed: per layer, q|k|v are one fused {@code [hidden, (heads + 2 kvHeads) headDim]}
 * matrix and gate|up one {@code [hidden, 2 ffn]} matrix, all stored {@code [in, out]} so that a step is
 * a few large matrix products; the attention scale {@code 1/sqrt(headDim)} is folded into wq (RoPE is
 * linear, so this is exact up to rounding). The weights' manager is capped after loading: an
 * intermediate that tried to attach to it would throw instead of leaking.
 *
 * <p>Public for the engine and for benchmarks ({@link #newCache}, {@link #forward}); every call of
 * {@link #forward} must pass a step manager that the caller closes afterwards.
 */
public final class LlamaModel implements AutoCloseable {

    /**
     * One transformer block's weights. The RMSNorm weight g and the norm's constant sqrt(hidden) are
     * folded into the rows of the matrix that follows each norm ((x * g) W = x (diag(g) W)), which saves
     * ops per norm (see {@link #rmsNorm}).
     */
    private record Layer(
            NDArray wqkv,     // [hidden, (heads + 2 kvHeads) * headDim]: attention norm folded in, wq scaled by 1/sqrt(headDim)
            NDArray wo,       // [heads * headDim, hidden]
            NDArray w13,      // [hidden, 2 * ffn]: gate (w1) | up (w3), ffn norm folded in
            NDArray w2) {}    // [ffn, hidden]: down

    private final LlamaConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final NDArray embedding; // [vocab, hidden]
    private final Layer[] layers;
    private final NDArray lmHead;    // [hidden, vocab], final norm folded in
    private final NDArray normEpsilon; // [1] float32: hidden * rms_norm_eps
    private final double[] invFreq;  // [headDim / 2], rope_scaling applied
    private final long parameters;

    private LlamaModel(LlamaConfig config, NDManager manager, DataType dtype, NDArray embedding, Layer[] layers,
            NDArray lmHead, NDArray normEpsilon, long parameters) {
        this.config = config;
        this.manager = manager;
        this.dtype = dtype;
        this.embedding = embedding;
        this.layers = layers;
        this.lmHead = lmHead;
        this.normEpsilon = normEpsilon;
        this.parameters = parameters;
        this.invFreq = inverseFrequencies(config);
    }

    /**
     * Loads the weights of {@code checkpoint} onto {@code device} in {@code dtype} (FLOAT32 or FLOAT16),
     * one tensor at a time, reporting to {@code progress} (may be null). BF16 files are widened in Java.
     * A bfloat16 compute dtype is refused: DJL 0.35's PyTorch binding aborts the JVM when it creates or
     * converts to bfloat16 arrays.
     */
    public static LlamaModel load(Checkpoint checkpoint, Device device, DataType dtype, LoadProgress progress) {
        if (dtype == DataType.BFLOAT16) {
            throw new IllegalArgumentException("compute dtype bfloat16 is not supported (DJL 0.35's PyTorch binding "
                    + "crashes on bfloat16 arrays); use float16 or float32 - bfloat16 checkpoints load fine");
        }
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute dtype must be float32 or float16, not " + dtype);
        }
        LlamaConfig c = checkpoint.config();
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            WeightReader reader = new WeightReader(checkpoint, dtype, progress);
            int hidden = c.hiddenSize();
            NDArray embedding = reader.read(LlamaTensors.EMBED_TOKENS, manager);
            Layer[] layers = new Layer[c.numHiddenLayers()];
            float scale = (float) (1 / Math.sqrt(c.headDim()));
            float sqrtHidden = (float) Math.sqrt(hidden);
            for (int i = 0; i < layers.length; i++) {
                try (NDManager tmp = manager.newSubManager()) {
                    NDArray attnNorm = reader.read(LlamaTensors.attentionNorm(i), tmp).mul(sqrtHidden).reshape(1, hidden);
                    NDArray ffnNorm = reader.read(LlamaTensors.ffnNorm(i), tmp).mul(sqrtHidden).reshape(1, hidden);
                    NDArray wq = reader.read(LlamaTensors.wq(i), tmp).mul(scale);   // [heads*hd, hidden]
                    NDArray wk = reader.read(LlamaTensors.wk(i), tmp);              // [kvHeads*hd, hidden]
                    NDArray wv = reader.read(LlamaTensors.wv(i), tmp);              // [kvHeads*hd, hidden]
                    NDArray gate = reader.read(LlamaTensors.gate(i), tmp);          // [ffn, hidden]
                    NDArray up = reader.read(LlamaTensors.up(i), tmp);              // [ffn, hidden]
                    NDArray wqkv = NDArrays.concat(new NDList(wq, wk, wv), 0).mul(attnNorm); // [(h+2kv)*hd, hidden]
                    NDArray w13 = NDArrays.concat(new NDList(gate, up), 0).mul(ffnNorm);     // [2*ffn, hidden]
                    layers[i] = new Layer(
                            keep(inOut(wqkv), manager),
                            keep(inOut(reader.read(LlamaTensors.wo(i), tmp)), manager),
                            keep(inOut(w13), manager),
                            keep(inOut(reader.read(LlamaTensors.down(i), tmp)), manager));
                }
            }
            NDArray lmHead;
            try (NDManager tmp = manager.newSubManager()) {
                NDArray finalNorm = reader.read(LlamaTensors.NORM, tmp).mul(sqrtHidden).reshape(1, hidden);
                NDArray head = c.tieWordEmbeddings() ? embedding : reader.read(LlamaTensors.LM_HEAD, tmp);
                NDArray normedHead = head.mul(finalNorm); // [vocab, hidden]
                normedHead.attach(tmp); // with tied embeddings `head` belongs to the model: keep the product temporary
                lmHead = keep(inOut(normedHead), manager);
            }
            NDArray normEpsilon = manager.create(new float[] {(float) (hidden * c.rmsNormEps())});
            long parameters = reader.parameters;
            manager.cap();
            return new LlamaModel(c, manager, dtype, embedding, layers, lmHead, normEpsilon, parameters);
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    public LlamaConfig config() {
        return config;
    }

    public DataType dtype() {
        return dtype;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The manager that owns the weights (capped); steps run in its sub-managers. */
    public NDManager getManager() {
        return manager;
    }

    /** Parameters as stored in the checkpoint (tied embeddings counted once). */
    public long parameters() {
        return parameters;
    }

    /** Bytes of weights one decode step reads (the memory-bandwidth bound's numerator). */
    public long weightBytesPerStep() {
        long perLayer = 0;
        for (NDArray w : List.of(layers[0].wqkv, layers[0].wo, layers[0].w13, layers[0].w2)) {
            perLayer += w.size();
        }
        return (perLayer * layers.length + lmHead.size()) * dtype.getNumOfBytes();
    }

    /** The weight matrices a step multiplies by, in the order of the forward pass ([in, out] each). */
    List<NDArray> matricesInStepOrder() {
        List<NDArray> matrices = new ArrayList<>();
        for (Layer layer : layers) {
            matrices.addAll(List.of(layer.wqkv, layer.wo, layer.w13, layer.w2));
        }
        matrices.add(lmHead);
        return matrices;
    }

    /** A KV pool of {@code blocks} blocks of {@code blockSize} positions, on this model's device. */
    public KvCache newCache(int blocks, int blockSize) {
        return new KvCache(this, blocks, blockSize);
    }

    /**
     * Runs the chunks through the model in one forward: their tokens' keys and values are written to
     * their blocks of {@code cache}, and each token attends to its own sequence's positions before it,
     * gathered from its blocks. Projections and the MLP see all tokens of all chunks as one matrix, so the
     * weights are read once per call.
     *
     * @param allPositions true: logits of every token (for tests); false: of each chunk's last token
     * @return float32 logits {@code [chunks or tokens, vocab]}, attached to {@code step}
     */
    public NDArray forward(NDManager step, KvCache cache, List<ModelStep.Chunk> chunks, boolean allPositions) {
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        int group = heads / kvHeads;
        int total = chunks.stream().mapToInt(ch -> ch.tokens().length).sum();

        // Per token: id, cache slot, rotary matrix of its position
        long[] ids = new long[total];
        long[] slots = new long[total];
        float[] rotations = new float[total * headDim * headDim];
        long[] lastRows = new long[chunks.size()];
        int row = 0;
        for (int c = 0; c < chunks.size(); c++) {
            ModelStep.Chunk chunk = chunks.get(c);
            for (int t = 0; t < chunk.tokens().length; t++, row++) {
                ids[row] = chunk.tokens()[t];
                slots[row] = cache.slot(chunk.blockTable(), chunk.start() + t);
                rotation(chunk.start() + t, rotations, row * headDim * headDim);
            }
            lastRows[c] = row - 1;
        }
        NDArray rope = step.create(rotations, new Shape(total, headDim, headDim));            // [T, hd, hd]
        if (dtype != DataType.FLOAT32) {
            rope = rope.toType(dtype, false);
        }
        NDArray slotArray = step.create(slots);
        NDIndex keySlots = new NDIndex(":, :, {}", slotArray);
        NDIndex valueSlots = new NDIndex(":, {}", slotArray);
        NDArray[] masks = new NDArray[chunks.size()];
        // Per chunk, the pool slots of its sequence's positions [0, start + n): a slice when its blocks
        // follow each other in the pool, else an index to gather them by
        NDIndex[] keyReads = new NDIndex[chunks.size()];
        NDIndex[] valueReads = new NDIndex[chunks.size()];
        for (int c = 0; c < chunks.size(); c++) {
            ModelStep.Chunk chunk = chunks.get(c);
            masks[c] = chunk.tokens().length == 1 ? null : causalMask(step, chunk.start(), chunk.tokens().length);
            int length = chunk.start() + chunk.tokens().length;
            long first = cache.slot(chunk.blockTable(), 0);
            if (cache.contiguous(chunk.blockTable(), length)) {
                keyReads[c] = new NDIndex().addAllDim(2).addSliceDim(first, first + length);
                valueReads[c] = new NDIndex().addAllDim().addSliceDim(first, first + length);
            } else {
                NDArray positions = step.create(cache.slots(chunk.blockTable(), length));
                keyReads[c] = new NDIndex(":, :, {}", positions);
                valueReads[c] = new NDIndex(":, {}", positions);
            }
        }

        // Token embeddings
        NDArray x = embedding.get(step, new NDIndex("{}", step.create(ids))); // [T, hidden]

        for (int l = 0; l < layers.length; l++) {
            Layer layer = layers[l];
            // Attention: rmsNorm, then q|k|v in one matrix product
            NDArray qkv = rmsNorm(x).matMul(layer.wqkv).reshape(total, heads + 2L * kvHeads, headDim); // [T, h+2kv, hd]
            // RoPE on q and k together, x * cos + rotate_half(x) * sin, as one batched product per token
            NDArray qk = qkv.get(new NDIndex().addAllDim().addSliceDim(0, heads + kvHeads)) // [T, h+kv, hd]
                    .matMul(rope);
            NDArray q = qk.get(new NDIndex().addAllDim().addSliceDim(0, heads))
                    .reshape(total, kvHeads, group, headDim);                                    // [T, kv, group, hd]
            NDArray k = qk.get(new NDIndex().addAllDim().addSliceDim(heads, heads + kvHeads)); // [T, kv, hd]
            NDArray v = qkv.get(new NDIndex().addAllDim().addSliceDim(heads + kvHeads, heads + 2L * kvHeads)); // [T, kv, hd]
            // Write this step's keys and values into the cache, in place
            NDArray keys = cache.keys(l);     // [kv, hd, slots]
            NDArray values = cache.values(l); // [kv, slots, hd]
            keys.set(keySlots, k.transpose(1, 2, 0));
            values.set(valueSlots, v.transpose(1, 0, 2));
            // Each chunk attends to its own sequence's cached keys (grouped-query: `group` heads per kv head)
            NDArray[] outs = new NDArray[chunks.size()];
            row = 0;
            for (int c = 0; c < chunks.size(); c++) {
                ModelStep.Chunk chunk = chunks.get(c);
                int n = chunk.tokens().length;
                int length = chunk.start() + n;
                NDArray kc = keys.get(step, keyReads[c]);                                        // [kv, hd, len]
                NDArray vc = values.get(step, valueReads[c]);                                    // [kv, len, hd]
                if (n == 1) {
                    NDArray qc = q.get(row);                                                     // [kv, group, hd]
                    outs[c] = qc.matMul(kc).softmax(-1).matMul(vc);                              // [kv, group, hd]
                } else {
                    NDArray qc = q.get(new NDIndex().addSliceDim(row, row + n)).transpose(1, 2, 0, 3)
                            .reshape(kvHeads, (long) group * n, headDim);                        // [kv, group*n, hd]
                    NDArray scores = qc.matMul(kc).reshape(kvHeads, group, n, length).add(masks[c]); // causal
                    NDArray probs = scores.softmax(-1).reshape(kvHeads, (long) group * n, length);
                    outs[c] = probs.matMul(vc).reshape(kvHeads, group, n, headDim).transpose(2, 0, 1, 3)
                            .reshape((long) n * kvHeads, group, headDim);                        // [n*kv, group, hd]
                }
                row += n;
            }
            NDArray attention = attentionRows(outs, total, heads * headDim);               // [T, heads*hd]
            x = x.add(attention.matMul(layer.wo));                                                 // [T, hidden]

            // Feed-forward: rmsNorm, SiLU(x w1) * (x w3), then w2
            NDList gateUp = rmsNorm(x).matMul(layer.w13).split(2, 1);                              // 2 x [T, ffn]
            NDArray gate = gateUp.get(0);
            x = x.add(gate.mul(Activation.sigmoid(gate)).mul(gateUp.get(1)).matMul(layer.w2));     // [T, hidden]
        }

        // Final norm and the head, on the rows whose logits are wanted
        if (!allPositions && total != chunks.size()) {
            x = x.get(new NDIndex("{}", step.create(lastRows)));                      // [chunks, hidden]
        }
        NDArray logits = rmsNorm(x).matMul(lmHead);                                   // [rows, vocab]
        return dtype == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    }

    /**
     * RMSNorm in float32 as HF computes it, x / sqrt(mean(x^2) + eps), written as
     * x / sqrt(sum(x^2) + hidden * eps) times sqrt(hidden), where sqrt(hidden) and the norm's weight are
     * folded into the matrix that follows. (Ops with a Java scalar cost ~20 µs in DJL, array ops ~3 µs.)
     */
    private NDArray rmsNorm(NDArray x) {
        NDArray x32 = dtype == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray sumSquares = x32.square().sum(new int[] {-1}, true);                  // [T, 1]
        NDArray normed = x32.div(sumSquares.add(normEpsilon).sqrt());
        return dtype == DataType.FLOAT32 ? normed : normed.toType(dtype, false);
    }

    /** The chunks' attention outputs ([n*kv, group, hd] each) as rows in token order: [T, heads * headDim]. */
    private static NDArray attentionRows(NDArray[] outs, int total, int width) {
        NDArray all = outs.length == 1 ? outs[0] : NDArrays.concat(new NDList(outs), 0); // [T*kv, group, hd]
        return all.reshape(total, width);
    }

    /**
     * The [headDim, headDim] matrix M of position {@code p} (row-major at {@code offset} of {@code m}, which
     * is all zeros there) with x @ M = x * cos + rotate_half(x) * sin, cos and sin as HF's
     * cat(freqs, freqs): one product replaces four ops per layer. Output j < d/2 takes x[j] cos - x[j+d/2] sin,
     * output j + d/2 takes x[j+d/2] cos + x[j] sin.
     */
    private void rotation(int p, float[] m, int offset) {
        int half = invFreq.length;
        int d = 2 * half;
        for (int j = 0; j < half; j++) {
            double angle = p * (double) (float) invFreq[j];
            float c = (float) Math.cos(angle);
            float s = (float) Math.sin(angle);
            m[offset + j * d + j] = c;
            m[offset + (j + half) * d + j] = -s;
            m[offset + (j + half) * d + j + half] = c;
            m[offset + j * d + j + half] = s;
        }
    }

    /** 0 where query {@code start+i} may see key {@code j} (j <= start+i), -inf elsewhere: [n, start+n]. */
    private NDArray causalMask(NDManager step, int start, int n) {
        int length = start + n;
        float[] mask = new float[n * length];
        for (int i = 0; i < n; i++) {
            for (int j = start + i + 1; j < length; j++) {
                mask[i * length + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return step.create(mask, new Shape(n, length)).toType(dtype, false);
    }

    static double[] inverseFrequencies(LlamaConfig c) {
        int half = c.headDim() / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) {
            inv[i] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.headDim());
        }
        return c.ropeScaling() == null ? inv : c.ropeScaling().scale(inv);
    }

    /** HF's [out, in] as a contiguous [in, out]. */
    private static NDArray inOut(NDArray w) {
        long in = w.getShape().get(1);
        return w.transpose().reshape(-1).reshape(in, -1);
    }

    private static NDArray keep(NDArray a, NDManager owner) {
        a.attach(owner);
        return a;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Reads checkpoint tensors into NDArrays of the compute dtype, one at a time. */
    private static final class WeightReader {
        private final Checkpoint checkpoint;
        private final DataType dtype;
        private final LoadProgress progress;
        private long parameters;

        WeightReader(Checkpoint checkpoint, DataType dtype, LoadProgress progress) {
            this.checkpoint = checkpoint;
            this.dtype = dtype;
            this.progress = progress;
        }

        /** The tensor as an NDArray of the compute dtype in {@code into}; never aliases the mapped file. */
        NDArray read(String name, NDManager into) {
            TensorView t = checkpoint.tensor(name);
            Shape shape = new Shape(t.shape());
            NDArray result;
            try (NDManager tmp = into.newSubManager()) {
                NDArray raw;
                if (t.dtype() == dev.tandem.models.checkpoint.TensorDtype.F32 && t.byteSize() <= Integer.MAX_VALUE) {
                    raw = tmp.create(t.data(), shape, DataType.FLOAT32);
                } else if (t.dtype() == dev.tandem.models.checkpoint.TensorDtype.F16 && t.byteSize() <= Integer.MAX_VALUE) {
                    raw = tmp.create(t.data(), shape, DataType.FLOAT16);
                } else {
                    // BF16 (DJL cannot create it directly) and huge tensors: widen to float32 in Java
                    ByteBuffer floats = ByteBuffer.allocateDirect(Math.toIntExact(t.elements() * 4)).order(ByteOrder.nativeOrder());
                    t.copyFloatsTo(floats.asFloatBuffer());
                    raw = tmp.create(floats, shape, DataType.FLOAT32);
                }
                // A real copy (clone or conversion): the created array aliases the mapping or the direct buffer
                result = raw.getDataType() == dtype ? raw.duplicate() : raw.toType(dtype, false);
                result.attach(into);
            }
            parameters += t.elements();
            if (progress != null) {
                progress.advance(t.byteSize());
            }
            return result;
        }
    }
}
