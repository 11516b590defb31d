package dev.tandem.models.reference;

import dev.tandem.models.checkpoint.LlamaConfig;
import dev.tandem.models.step.ModelStep;
import java.util.Arrays;
import java.util.List;

/**
 * The float[] reference as a {@link ModelStep} over the block layout: keys and values live in a pool of
 * blocks and are found through each chunk's block table, exactly as the production step must find them.
 * The oracle of the scheduler's tests: each position's logits depend only on the tokens before it, so
 * batching, chunking, prefix sharing and preemption cannot change a bit of them, unless the scheduler
 * hands out wrong blocks. Unwritten slots hold NaN, so a read of one poisons the logits.
 */
public final class PagedReferenceStep implements ModelStep {
    private final ReferenceLlama model;
    private final int blockSize;
    private final int kvDim;
    private final int layers;
    private float[][] keys;   // [block][(offset * layers + layer) * kvDim + i]
    private float[][] values;

    public PagedReferenceStep(ReferenceLlama model, int blockSize) {
        this.model = model;
        this.blockSize = blockSize;
        LlamaConfig c = model.config();
        this.kvDim = c.kvDim();
        this.layers = c.numHiddenLayers();
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int numBlocks() {
        return keys == null ? 0 : keys.length;
    }

    @Override
    public long bytesPerBlock() {
        return 2L * blockSize * layers * kvDim * Float.BYTES;
    }

    @Override
    public long weightBytes() {
        LlamaConfig c = model.config();
        long hidden = c.hiddenSize();
        long perLayer = 2 * hidden + hidden * c.qDim() * 2 + hidden * c.kvDim() * 2 + 3 * hidden * c.intermediateSize();
        long head = c.tieWordEmbeddings() ? 0 : (long) c.vocabSize() * hidden;
        return Float.BYTES * ((long) c.vocabSize() * hidden + head + hidden + c.numHiddenLayers() * perLayer);
    }

    @Override
    public void allocateKv(int blocks) {
        keys = new float[blocks][blockSize * layers * kvDim];
        values = new float[blocks][blockSize * layers * kvDim];
        for (int b = 0; b < blocks; b++) {
            Arrays.fill(keys[b], Float.NaN);
            Arrays.fill(values[b], Float.NaN);
        }
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public float[] forward(List<Chunk> chunks) {
        int vocab = vocabSize();
        float[] out = new float[chunks.size() * vocab];
        for (int c = 0; c < chunks.size(); c++) {
            Chunk chunk = chunks.get(c);
            Store store = new Store(chunk.blockTable());
            float[] logits = null;
            for (int t = 0; t < chunk.tokens().length; t++) {
                logits = model.next(chunk.tokens()[t], chunk.start() + t, store);
            }
            System.arraycopy(logits, 0, out, c * vocab, vocab);
        }
        return out;
    }

    @Override
    public void close() {
        keys = null;
        values = null;
    }

    /** One sequence's positions, through its block table. */
    private final class Store implements ReferenceLlama.KvStore {
        private final int[] table;

        Store(int[] table) {
            this.table = table;
        }

        @Override
        public void put(int layer, int position, float[] key, float[] value) {
            System.arraycopy(key, 0, keys[block(position)], offset(layer, position), kvDim);
            System.arraycopy(value, 0, values[block(position)], offset(layer, position), kvDim);
        }

        @Override
        public float[] key(int layer, int position) {
            int at = offset(layer, position);
            return Arrays.copyOfRange(keys[block(position)], at, at + kvDim);
        }

        @Override
        public float[] value(int layer, int position) {
            int at = offset(layer, position);
            return Arrays.copyOfRange(values[block(position)], at, at + kvDim);
        }

        private int block(int position) {
            int index = position / blockSize;
            if (index >= table.length) {
                throw new IllegalArgumentException("position " + position + " is beyond the " + table.length + " blocks of its table");
            }
            return table[index];
        }

        private int offset(int layer, int position) {
            return ((position % blockSize) * layers + layer) * kvDim;
        }
    }
}
