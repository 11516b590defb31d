package dev.tandem.models.step;

import java.util.List;
import java.util.Objects;

/**
 * One forward of the model over a batch of sequences whose keys and values live in fixed-size KV
 * blocks. The scheduler decides what runs (which sequences, how many tokens, which blocks); a
 * ModelStep runs it and owns the weights and the block pool. Production: the TorchScript step; tests
 * also run a float[] reference over the same block layout.
 *
 * <p>Block {@code b} of the pool holds {@link #blockSize()} consecutive positions of whichever
 * sequence's table names it; position {@code p} of a sequence lives in block
 * {@code table[p / blockSize]} at offset {@code p % blockSize}. Blocks named by several tables (a
 * shared prefix) are only ever read by all but their first writer.
 */
public interface ModelStep extends AutoCloseable {

    /** Tokens of one sequence in a forward: {@code tokens} sit at positions {@code start, start + 1, ...}. */
    record Chunk(int[] tokens, int start, int[] blockTable) {
        public Chunk {
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(blockTable, "blockTable");
            if (tokens.length == 0 || start < 0) {
                throw new IllegalArgumentException("a chunk needs >= 1 token and a non-negative start");
            }
        }
    }

    /** Positions per KV block. */
    int blockSize();

    /** Blocks in the pool (0 until {@link #allocateKv} has run). */
    int numBlocks();

    /** Bytes one block takes on the device: keys and values of every layer, in the compute dtype. */
    long bytesPerBlock();

    /** Bytes the weights take on the device, in the compute dtype (what the KV budget is measured after). */
    long weightBytes();

    /** Creates the block pool; once, after the weights are loaded and free memory can be measured. */
    void allocateKv(int blocks);

    int vocabSize();

    /**
     * Runs every chunk in one forward: each chunk's keys and values are written into its blocks, and each
     * token attends to positions {@code [0, its own]} of its own sequence. Every block a chunk's positions
     * reach must be in its table.
     *
     * @return float32 logits of each chunk's last token, {@code [chunks.size() * vocabSize()]} row-major
     */
    float[] forward(List<Chunk> chunks);

    /** Frees the weights and the block pool. */
    @Override
    void close();
}
