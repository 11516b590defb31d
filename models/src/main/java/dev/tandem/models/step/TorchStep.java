package dev.tandem.models.step;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointException;
import dev.tandem.models.checkpoint.LlamaConfig;
import dev.tandem.models.checkpoint.LlamaTensors;
import dev.tandem.models.checkpoint.LoadProgress;
import dev.tandem.models.checkpoint.TensorDtype;
import dev.tandem.models.checkpoint.TensorView;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The production {@link ModelStep}: the forward pass is the TorchScript program {@code step.py}, run
 * by DJL's PyTorch engine with one JNI call per forward. Java reads the checkpoint, lays out each
 * step's chunks ({@link StepBatch}) and reads the logits back; the weights and the KV block pool live
 * in TorchScript values (IValues) and never become DJL arrays, so they may be bfloat16, which DJL's
 * NDArray API cannot represent.
 *
 * <p>Weights enter in the file's own width: F32 and F16 bytes as DJL arrays of that dtype, BF16 bytes
 * in a float16 carrier that the program reinterprets ({@code view}) as bfloat16, so nothing is widened
 * in Java. Not thread-safe: one engine thread runs the steps.
 */
public final class TorchStep implements ModelStep {
    /** Positions per KV block unless told otherwise (vLLM's default). */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    private final LlamaConfig config;
    private final ComputeDtype dtype;
    private final Device device;
    private final int blockSize;
    private final PtNDManager manager;
    private final PtSymbolBlock program;
    private final IValue layers;  // List[List[Tensor]]: per layer the six tensors step.py names
    private final IValue model;   // List[Tensor]: embed_tokens, norm, lm_head, inv_freq
    private final long weightBytes;
    private final long parameters;
    private IValue kv;            // [layers, 2, kvHeads, blocks * blockSize, headDim]
    private int numBlocks;
    /** IValues made for a call and not yet closed: see {@link #liveNativeObjects()}. */
    private long openCallValues;

    private TorchStep(LlamaConfig config, ComputeDtype dtype, Device device, int blockSize, PtNDManager manager,
            PtSymbolBlock program, IValue layers, IValue model, long weightBytes, long parameters) {
        this.config = config;
        this.dtype = dtype;
        this.device = device;
        this.blockSize = blockSize;
        this.manager = manager;
        this.program = program;
        this.layers = layers;
        this.model = model;
        this.weightBytes = weightBytes;
        this.parameters = parameters;
    }

    /**
     * Writes and loads the program for {@code checkpoint}'s shape, then its weights, one layer at a time
     * (reporting to {@code progress}, may be null). The KV pool comes later: {@link #allocateKv}.
     */
    public static TorchStep load(Checkpoint checkpoint, Device device, ComputeDtype dtype, int blockSize, LoadProgress progress) {
        return load(checkpoint, device, dtype, blockSize, progress, StepArchive.program());
    }

    /** {@link #load} with another program text: a variant of {@code step.py} measured against it. */
    static TorchStep load(Checkpoint checkpoint, Device device, ComputeDtype dtype, int blockSize, LoadProgress progress,
            byte[] programText) {
        Objects.requireNonNull(dtype, "dtype");
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1");
        }
        LlamaConfig c = checkpoint.config();
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager(Device.cpu(), "PyTorch");
        try {
            PtSymbolBlock program = loadProgram(manager, new StepArchive.Settings(c, blockSize, dtype, torchDevice(device)), programText);
            WeightLoader loader = new WeightLoader(checkpoint, program, manager, progress);
            IValue model = loader.model(c);
            try {
                List<IValue> perLayer = new ArrayList<>();
                try {
                    for (int l = 0; l < c.numHiddenLayers(); l++) {
                        perLayer.add(loader.layer(l));
                    }
                    IValue layers = IValue.listFrom(perLayer.toArray(new IValue[0]));
                    long weightBytes = loader.elements * dtype.bytes();
                    return new TorchStep(c, dtype, device, blockSize, manager, program, layers, model, weightBytes,
                            loader.parameters);
                } finally {
                    perLayer.forEach(IValue::close); // the list holds them now (or loading failed)
                }
            } catch (RuntimeException | Error e) {
                model.close();
                throw e;
            }
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    /** Writes the archive for {@code settings} and has PyTorch compile it. */
    private static PtSymbolBlock loadProgram(PtNDManager manager, StepArchive.Settings settings, byte[] programText) {
        try {
            return JniUtils.loadModule(manager, new ByteArrayInputStream(StepArchive.write(settings, programText)), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the step program", e);
        }
    }

    /** PyTorch's name of a DJL device. */
    static String torchDevice(Device device) {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }

    public LlamaConfig config() {
        return config;
    }

    public ComputeDtype dtype() {
        return dtype;
    }

    public Device device() {
        return device;
    }

    /** Parameters as stored in the checkpoint (tied embeddings counted once). */
    public long parameters() {
        return parameters;
    }

    @Override
    public long weightBytes() {
        return weightBytes;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int numBlocks() {
        return numBlocks;
    }

    @Override
    public long bytesPerBlock() {
        return 2L * config.numHiddenLayers() * blockSize * config.numKeyValueHeads() * config.headDim() * dtype.bytes();
    }

    @Override
    public void allocateKv(int blocks) {
        if (blocks < 1) {
            throw new IllegalArgumentException("the KV pool needs at least one block");
        }
        if (kv != null) {
            throw new IllegalStateException("the KV pool is already allocated (" + numBlocks + " blocks)");
        }
        try (CallValues call = new CallValues()) {
            kv = IValueUtils.runMethod(program, "allocate_kv", call.add(IValue.from((long) blocks)));
        }
        numBlocks = blocks;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public float[] forward(List<Chunk> chunks) {
        if (kv == null) {
            throw new IllegalStateException("allocateKv must run before the first forward");
        }
        StepBatch b = StepBatch.of(chunks, blockSize, numBlocks);
        try (CallValues call = new CallValues(); PtNDManager step = (PtNDManager) manager.newSubManager()) {
            IValue result = call.add(IValueUtils.runMethod(program, "forward", layers, model, kv,
                    call.add(IValue.listFrom(b.rows().tokens())),
                    call.add(IValue.listFrom(b.rows().positions())),
                    call.add(IValue.listFrom(b.rows().slots())),
                    call.add(IValue.from((long) b.decodes().count())),
                    call.add(IValue.listFrom(b.decodes().tables())),
                    call.add(IValue.from((long) b.decodes().width())),
                    call.add(IValue.listFrom(b.chunks().starts())),
                    call.add(IValue.listFrom(b.chunks().lengths())),
                    call.add(IValue.listFrom(b.chunks().tables())),
                    call.add(IValue.listFrom(b.lastRows()))));
            return result.toTensor(step).toFloatArray(); // float32 [chunks, vocab] on the CPU
        }
    }

    /**
     * Native objects this step holds now: IValues made for calls and not yet closed, plus DJL arrays
     * and managers under its manager (the weights and the pool are IValues held for its life and not
     * counted). A forward leaves the count as it found it.
     */
    public long liveNativeObjects() {
        return openCallValues + liveResources(manager);
    }

    private static long liveResources(NDManager m) {
        try {
            java.lang.reflect.Field f = ai.djl.ndarray.BaseNDManager.class.getDeclaredField("resources");
            f.setAccessible(true);
            long n = 0;
            for (Object r : ((java.util.Map<?, ?>) f.get(m)).values()) {
                n += 1 + (r instanceof NDManager sub ? liveResources(sub) : 0);
            }
            return n;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot count DJL's live resources", e);
        }
    }

    /** The IValues made for one call, closed together at its end. */
    private final class CallValues implements AutoCloseable {
        private final List<IValue> values = new ArrayList<>();

        IValue add(IValue v) {
            values.add(v);
            openCallValues++;
            return v;
        }

        @Override
        public void close() {
            for (IValue v : values) {
                v.close();
                openCallValues--;
            }
            values.clear();
        }
    }

    @Override
    public void close() {
        if (kv != null) {
            kv.close();
            kv = null;
        }
        layers.close();
        model.close();
        program.close();
        manager.close();
    }

    /** Feeds checkpoint tensors to the program's load methods, one layer at a time. */
    private static final class WeightLoader {
        private final Checkpoint checkpoint;
        private final PtSymbolBlock program;
        private final PtNDManager manager;
        private final LoadProgress progress;
        private long elements;   // as loaded (fused, tied head loaded twice)
        private long parameters; // as stored

        WeightLoader(Checkpoint checkpoint, PtSymbolBlock program, PtNDManager manager, LoadProgress progress) {
            this.checkpoint = checkpoint;
            this.program = program;
            this.manager = manager;
            this.progress = progress;
        }

        /** The unmapped buffers the raw arrays of one call alias; released once those arrays are closed. */
        private final List<ByteBuffer> mapped = new ArrayList<>();

        IValue model(LlamaConfig c) {
            try (NDManager raw = manager.newSubManager()) {
                PtNDArray embed = read(LlamaTensors.EMBED_TOKENS, raw, true);
                PtNDArray norm = read(LlamaTensors.NORM, raw, true);
                PtNDArray head = c.tieWordEmbeddings() ? embed : read(LlamaTensors.LM_HEAD, raw, true);
                if (c.tieWordEmbeddings()) {
                    elements += head.size();
                }
                double[] invFreq = c.ropeInverseFrequencies();
                float[] inv = new float[invFreq.length];
                for (int i = 0; i < inv.length; i++) {
                    inv[i] = (float) invFreq[i];
                }
                PtNDArray frequencies = (PtNDArray) raw.create(inv);
                return call("load_model", List.of(embed, norm, head, frequencies), storedDtype(LlamaTensors.EMBED_TOKENS), false);
            } finally {
                unmap();
            }
        }

        IValue layer(int l) {
            List<String> names = List.of(LlamaTensors.attentionNorm(l), LlamaTensors.wq(l), LlamaTensors.wk(l),
                    LlamaTensors.wv(l), LlamaTensors.wo(l), LlamaTensors.ffnNorm(l), LlamaTensors.gate(l),
                    LlamaTensors.up(l), LlamaTensors.down(l));
            try (NDManager raw = manager.newSubManager()) {
                List<PtNDArray> tensors = new ArrayList<>();
                int stored = storedDtype(names.get(1));
                for (String name : names) {
                    if (storedDtype(name) != stored) {
                        throw new CheckpointException(checkpoint.tensor(name).file() + ": tensor '" + name
                                + "' is stored as " + checkpoint.tensor(name).dtype() + " but the rest of layer " + l
                                + " as " + checkpoint.tensor(names.get(1)).dtype() + "; mixed dtypes are not supported");
                    }
                    tensors.add(read(name, raw, true));
                }
                return call("load_layer", tensors, stored, true);
            } finally {
                unmap(); // the program copied what it keeps, and the raw arrays are closed
            }
        }

        private void unmap() {
            mapped.forEach(TensorView::release);
            mapped.clear();
        }

        /** Runs a load method over tensors in one list; the raw arrays (and the file's mapping) can go after. */
        private IValue call(String method, List<PtNDArray> tensors, int stored, boolean asList) {
            List<IValue> values = new ArrayList<>();
            try {
                for (PtNDArray t : tensors) {
                    values.add(IValue.from(t));
                }
                if (asList) {
                    try (IValue list = IValue.listFrom(values.toArray(new IValue[0])); IValue code = IValue.from((long) stored)) {
                        return IValueUtils.runMethod(program, method, list, code);
                    }
                }
                values.add(IValue.from((long) stored));
                return IValueUtils.runMethod(program, method, values.toArray(new IValue[0]));
            } finally {
                values.forEach(IValue::close);
            }
        }

        /** PyTorch's number for the dtype a tensor is stored in. */
        private int storedDtype(String name) {
            return switch (checkpoint.tensor(name).dtype()) {
                case F32 -> ComputeDtype.FLOAT32.torchCode();
                case F16 -> ComputeDtype.FLOAT16.torchCode();
                case BF16 -> ComputeDtype.BFLOAT16.torchCode();
            };
        }

        /**
         * The tensor's bytes as a DJL array over the mapped file (no copy): F32 as float32, F16 and BF16
         * as float16 (a carrier of the same width; DJL has no bfloat16 array).
         */
        private PtNDArray read(String name, NDManager into, boolean count) {
            TensorView t = checkpoint.tensor(name);
            if (t.byteSize() > Integer.MAX_VALUE) {
                throw new CheckpointException(t.file() + ": tensor '" + name + "' is " + t.byteSize()
                        + " bytes; tensors above 2 GiB are not supported by the step's loader");
            }
            DataType carrier = t.dtype() == TensorDtype.F32 ? DataType.FLOAT32 : DataType.FLOAT16;
            ByteBuffer bytes = t.data();
            mapped.add(bytes);
            PtNDArray array = (PtNDArray) into.create(bytes, new Shape(t.shape()), carrier);
            if (count) {
                elements += t.elements();
                parameters += t.elements();
            }
            if (progress != null) {
                progress.advance(t.byteSize());
            }
            return array;
        }
    }
}
