package dev.tandem.models.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file: an 8-byte little-endian header length, a JSON header ({@code name -> {dtype,
 * shape, data_offsets}}, plus an optional {@code __metadata__}), then the raw data. Only the header is
 * read here; tensor data is memory-mapped on demand by {@link TensorView}.
 */
final class SafetensorsFile implements AutoCloseable {
    /** Headers are a few hundred KB even for 70B shards; anything huge is corruption, not a header. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A header entry as written: dtype unparsed, so that an unsupported dtype fails only when that tensor is used. */
    record Entry(String name, String dtype, long[] shape, long begin, long end) {
        long byteSize() {
            return end - begin;
        }

        long elements() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    final Path path;
    final FileChannel channel;
    final long fileSize;
    /** Absolute file offset of byte 0 of the data section. */
    final long dataStart;
    final Map<String, Entry> entries;

    private SafetensorsFile(Path path, FileChannel channel, long fileSize, long dataStart, Map<String, Entry> entries) {
        this.path = path;
        this.channel = channel;
        this.fileSize = fileSize;
        this.dataStart = dataStart;
        this.entries = entries;
    }

    static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot open weights file: " + e, e);
        }
        try {
            long size = channel.size();
            if (size < 8) {
                throw new CheckpointException(path + ": truncated safetensors file (" + size + " bytes, no header)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
                throw new CheckpointException(path + ": corrupt safetensors header length " + headerLength);
            }
            if (8 + headerLength > size) {
                throw new CheckpointException(path + ": truncated safetensors file: header of " + headerLength
                        + " bytes but the file has " + size);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            String json = new String(header.array(), StandardCharsets.UTF_8);
            return new SafetensorsFile(path, channel, size, 8 + headerLength, parseHeader(path, json));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new CheckpointException(path + ": cannot read safetensors header: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Map<String, Entry> parseHeader(Path path, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CheckpointException(path + ": corrupt safetensors header JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(path + ": corrupt safetensors header: not a JSON object");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            entries.put(field.getKey(), parseEntry(path, field.getKey(), field.getValue()));
        }
        return entries;
    }

    private static Entry parseEntry(Path path, String name, JsonNode n) {
        String where = path + ": tensor '" + name + "': corrupt header entry: ";
        if (!n.path("dtype").isTextual()) {
            throw new CheckpointException(where + "no dtype");
        }
        JsonNode shapeNode = n.path("shape");
        JsonNode offsets = n.path("data_offsets");
        if (!shapeNode.isArray()) {
            throw new CheckpointException(where + "no shape");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || d.longValue() < 0) {
                throw new CheckpointException(where + "bad shape " + shapeNode);
            }
            shape[i] = d.longValue();
        }
        if (!offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new CheckpointException(where + "bad data_offsets " + offsets);
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin) {
            throw new CheckpointException(where + "bad data_offsets " + offsets);
        }
        return new Entry(name, n.get("dtype").asText(), shape, begin, end);
    }

    /** Throws unless the entry's bytes lie inside this file: a truncated download would otherwise fault later. */
    void checkInside(Entry e) {
        long available = fileSize - dataStart;
        if (e.end() > available) {
            throw new CheckpointException(path + ": tensor '" + e.name() + "' lies past the end of the file (data_offsets end "
                    + e.end() + " > " + available + " data bytes): truncated shard?");
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing; the original error matters more
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }
}
