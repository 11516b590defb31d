package dev.tandem.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The KV pool of {@link LlamaModel}, preallocated once and written in place: per layer one K tensor of
 * {@code [kvHeads, headDim, slots]} (stored transposed, so that q·Kᵀ reads a slice as it is) and one V
 * tensor of {@code [kvHeads, slots, headDim]}, where the slots are {@code blocks × blockSize}: block
 * {@code b} holds slots {@code [b × blockSize, (b + 1) × blockSize)}. A sequence's position {@code p}
 * lives in slot {@code table[p / blockSize] × blockSize + p % blockSize}. Not thread-safe: the engine
 * thread owns it.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;   // per layer [kvHeads, headDim, slots]
    private final NDArray[] values; // per layer [kvHeads, slots, headDim]
    private final int blocks;
    private final int blockSize;

    KvCache(LlamaModel model, int blocks, int blockSize) {
        if (blocks < 1 || blockSize < 1) {
            throw new IllegalArgumentException("blocks and blockSize must be >= 1");
        }
        long slots = (long) blocks * blockSize;
        if (slots > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(blocks + " blocks of " + blockSize + " are more slots than an index holds");
        }
        this.blocks = blocks;
        this.blockSize = blockSize;
        this.manager = model.getManager().newSubManager();
        int layers = model.config().numHiddenLayers();
        Shape keyShape = new Shape(model.config().numKeyValueHeads(), model.config().headDim(), slots);
        Shape valueShape = new Shape(model.config().numKeyValueHeads(), slots, model.config().headDim());
        keys = new NDArray[layers];
        values = new NDArray[layers];
        try {
            for (int i = 0; i < layers; i++) {
                keys[i] = manager.zeros(keyShape, model.dtype());
                values[i] = manager.zeros(valueShape, model.dtype());
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
        // Nothing may attach here from now on: a step's intermediate that did would be a leak.
        manager.cap();
    }

    public int blocks() {
        return blocks;
    }

    public int blockSize() {
        return blockSize;
    }

    /** The slot of position {@code position} of the sequence whose blocks are {@code table}. */
    long slot(int[] table, int position) {
        int index = position / blockSize;
        if (index >= table.length) {
            throw new IllegalArgumentException("position " + position + " is beyond the " + table.length + " blocks of its table");
        }
        int block = table[index];
        if (block < 0 || block >= blocks) {
            throw new IllegalArgumentException("block " + block + " is outside the pool of " + blocks);
        }
        return (long) block * blockSize + position % blockSize;
    }

    /** The slots of positions {@code [0, length)}. */
    long[] slots(int[] table, int length) {
        long[] slots = new long[length];
        for (int p = 0; p < length; p++) {
            slots[p] = slot(table, p);
        }
        return slots;
    }

    /** Whether positions {@code [0, length)} sit in consecutive slots (their blocks follow each other). */
    boolean contiguous(int[] table, int length) {
        int used = (length + blockSize - 1) / blockSize;
        for (int i = 1; i < used; i++) {
            if (table[i] != table[0] + i) {
                return false;
            }
        }
        return used <= table.length;
    }

    /** {@code [kvHeads, headDim, slots]} */
    NDArray keys(int layer) {
        return keys[layer];
    }

    /** {@code [kvHeads, slots, headDim]} */
    NDArray values(int layer) {
        return values[layer];
    }

    @Override
    public void close() {
        manager.close();
    }
}
