package dev.tandem.models.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Writes one safetensors file, streaming each tensor's values in chunks so that the heap stays small. */
final class SafetensorsWriter {
    private static final int CHUNK = 1 << 16;

    /** A tensor to write: its values come from {@code source}, in row-major order. */
    record Tensor(String name, long[] shape, ValueSource source) {
        long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    /** Produces the next {@code dst.length} values of a tensor. */
    interface ValueSource {
        void next(float[] dst, int count);
    }

    private SafetensorsWriter() {}

    /** Writes {@code tensors} in order with {@code dtype}; returns the bytes of tensor data written. */
    static long write(Path file, List<Tensor> tensors, TensorDtype dtype) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Tensor t : tensors) {
            ObjectNode entry = header.putObject(t.name());
            entry.put("dtype", dtype.name());
            var shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long bytes = t.elements() * dtype.bytes();
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8; // the data section starts 8-byte aligned, padded with spaces
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(headerBytes);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, prefix.flip());
            float[] values = new float[CHUNK];
            ByteBuffer bytes = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors) {
                for (long done = 0; done < t.elements(); ) {
                    int n = (int) Math.min(CHUNK, t.elements() - done);
                    t.source().next(values, n);
                    bytes.clear();
                    for (int i = 0; i < n; i++) {
                        switch (dtype) {
                            case F32 -> bytes.putFloat(values[i]);
                            case F16 -> bytes.putShort(HalfFloats.floatToHalf(values[i]));
                            case BF16 -> bytes.putShort(HalfFloats.floatToBf16(values[i]));
                        }
                    }
                    writeFully(out, bytes.flip());
                    done += n;
                }
            }
        }
        return offset;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }
}
