package dev.tandem.models.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor of a checkpoint, not yet read. Its bytes are memory-mapped only when asked for, and
 * only its own byte range: shards can be 10 GB and one mapping is limited to 2 GB, and the Java heap
 * must never hold a whole file. Obtained from {@link Checkpoint#tensor(String)}, which has already
 * checked dtype, size and that the bytes lie inside the file.
 */
public final class TensorView {
    /** Elements widened per chunk by {@link #copyFloatsTo}: small enough that the heap never notices. */
    private static final int CHUNK = 1 << 16;
    /** Bytes per mapping when a tensor is mapped piecewise (kept a multiple of every element size). */
    private static final long WINDOW = 1L << 30;

    private final String name;
    private final Path file;
    private final TensorDtype dtype;
    private final long[] shape;
    private final FileChannel channel;
    private final long offset;
    private final long byteSize;

    TensorView(String name, Path file, TensorDtype dtype, long[] shape, FileChannel channel, long offset, long byteSize) {
        this.name = name;
        this.file = file;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.channel = channel;
        this.offset = offset;
        this.byteSize = byteSize;
    }

    public String name() {
        return name;
    }

    /** The safetensors file holding this tensor. */
    public Path file() {
        return file;
    }

    public TensorDtype dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (the product of the shape). */
    public long elements() {
        return byteSize / dtype.bytes();
    }

    public long byteSize() {
        return byteSize;
    }

    /**
     * The tensor's raw bytes: a read-only, little-endian buffer mapped over exactly this tensor.
     * Tensors above 2 GB cannot be one buffer; use {@link #copyFloatsTo(FloatBuffer)} for those.
     */
    public ByteBuffer data() {
        if (byteSize > Integer.MAX_VALUE) {
            throw new CheckpointException(file + ": tensor '" + name + "' is " + byteSize
                    + " bytes, too large for one buffer; read it with copyFloatsTo");
        }
        return map(0, byteSize);
    }

    /**
     * Unmaps a buffer that {@link #data()} returned now, instead of whenever the garbage collector finds
     * it: its pages leave this process's resident set at once, so that loading a 13 GB checkpoint does
     * not hold 13 GB of mapped file pages on top of the weights. Nothing may read the buffer, or
     * anything that aliases it, afterwards.
     */
    public static void release(ByteBuffer mapped) {
        if (!mapped.isDirect()) {
            throw new IllegalArgumentException("not a mapped buffer");
        }
        try {
            java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            ((sun.misc.Unsafe) f.get(null)).invokeCleaner(mapped);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot unmap a tensor's buffer", e);
        }
    }

    /** All elements widened to float32 on the heap. Meant for small tensors and tests. */
    public float[] toFloats() {
        long n = elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + ": tensor '" + name + "' has " + n + " elements, too many for a float[]");
        }
        float[] out = new float[(int) n];
        copyFloatsTo(FloatBuffer.wrap(out));
        return out;
    }

    /**
     * Writes all elements, widened to float32, into {@code dst} at its position (which advances). Works
     * in small chunks, so a direct {@code dst} keeps the heap flat however large the tensor.
     */
    public void copyFloatsTo(FloatBuffer dst) {
        if (dst.remaining() < elements()) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + elements() + " elements but the buffer has room for "
                    + dst.remaining());
        }
        for (long start = 0; start < byteSize; start += WINDOW) {
            ByteBuffer window = map(start, Math.min(WINDOW, byteSize - start));
            switch (dtype) {
                case F32 -> dst.put(window.asFloatBuffer());
                case F16, BF16 -> widen(window.asShortBuffer(), dst);
            }
        }
    }

    private void widen(ShortBuffer src, FloatBuffer dst) {
        short[] halves = new short[Math.min(CHUNK, src.remaining())];
        float[] floats = new float[halves.length];
        boolean bf16 = dtype == TensorDtype.BF16;
        while (src.hasRemaining()) {
            int n = Math.min(halves.length, src.remaining());
            src.get(halves, 0, n);
            for (int i = 0; i < n; i++) {
                floats[i] = bf16 ? HalfFloats.bf16ToFloat(halves[i]) : HalfFloats.halfToFloat(halves[i]);
            }
            dst.put(floats, 0, n);
        }
    }

    private ByteBuffer map(long start, long length) {
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset + start, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(file + ": tensor '" + name + "': cannot map: " + e, e);
        }
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " in " + file.getFileName();
    }
}
