package dev.tandem.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Keys and values of all running sequences, preallocated once and written in place: per layer one K
 * tensor of {@code [kvHeads, headDim, tokens]} (stored transposed, so that q·Kᵀ reads a slice as it is)
 * and one V tensor of {@code [kvHeads, tokens, headDim]}. A sequence owns a contiguous range of token
 * slots (reserved for prompt + max_tokens when it is admitted), so its keys are a plain slice, read by
 * attention without a copy. The token count is the engine's KV budget. Not thread-safe: the engine
 * thread owns it.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;   // per layer [kvHeads, headDim, tokens]
    private final NDArray[] values; // per layer [kvHeads, tokens, headDim]
    private final KvAllocator allocator;

    KvCache(LlamaModel model, int tokens) {
        this.allocator = new KvAllocator(tokens);
        this.manager = model.getManager().newSubManager();
        int layers = model.config().numHiddenLayers();
        Shape keyShape = new Shape(model.config().numKeyValueHeads(), model.config().headDim(), tokens);
        Shape valueShape = new Shape(model.config().numKeyValueHeads(), tokens, model.config().headDim());
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

    /** Reserves {@code tokens} contiguous slots; returns the first slot, or -1 when no range that long is free. */
    public int reserve(int tokens) {
        return allocator.reserve(tokens);
    }

    /** Frees a range given by {@link #reserve}. */
    public void release(int start, int tokens) {
        allocator.release(start, tokens);
    }

    public int capacity() {
        return allocator.capacity();
    }

    public int freeTokens() {
        return allocator.freeTokens();
    }

    /** The longest contiguous range free now (what one new sequence could reserve). */
    public int largestFreeRange() {
        return allocator.largestFreeRange();
    }

    /** {@code [kvHeads, headDim, tokens]} */
    NDArray keys(int layer) {
        return keys[layer];
    }

    /** {@code [kvHeads, tokens, headDim]} */
    NDArray values(int layer) {
        return values[layer];
    }

    @Override
    public void close() {
        manager.close();
    }
}
