package dev.tandem.models.llama;

import ai.djl.ndarray.NDManager;
import dev.tandem.models.step.ModelStep;
import java.util.List;

/**
 * Today's NDArray {@link LlamaModel} behind the {@link ModelStep} seam, over a paged {@link KvCache}:
 * keeps the engine serving until the TorchScript step takes its place. Owns (and closes) the model.
 */
public final class LlamaStep implements ModelStep {
    private final LlamaModel model;
    private final int blockSize;
    private KvCache cache;

    public LlamaStep(LlamaModel model, int blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1");
        }
        this.model = model;
        this.blockSize = blockSize;
    }

    public LlamaModel model() {
        return model;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int numBlocks() {
        return cache == null ? 0 : cache.blocks();
    }

    @Override
    public long bytesPerBlock() {
        return 2L * model.config().numHiddenLayers() * model.config().kvDim() * blockSize * model.dtype().getNumOfBytes();
    }

    @Override
    public long weightBytes() {
        return model.parameters() * model.dtype().getNumOfBytes();
    }

    @Override
    public void allocateKv(int blocks) {
        if (cache != null) {
            throw new IllegalStateException("the KV pool is allocated already");
        }
        cache = model.newCache(blocks, blockSize);
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public float[] forward(List<Chunk> chunks) {
        if (cache == null) {
            throw new IllegalStateException("allocateKv first");
        }
        try (NDManager step = model.getManager().newSubManager()) {
            return model.forward(step, cache, chunks, false).toFloatArray();
        }
    }

    @Override
    public void close() {
        if (cache != null) {
            cache.close();
        }
        model.close();
    }
}
