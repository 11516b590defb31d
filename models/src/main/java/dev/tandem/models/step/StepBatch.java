package dev.tandem.models.step;

import java.util.ArrayList;
import java.util.List;

/**
 * A forward's chunks laid out as the program reads them: single-token chunks (decodes) first, as one
 * batch with block tables padded to one width, then each multi-token chunk. Java's work here is linear
 * in the tokens and blocks; masks and RoPE angles are built by the program on the device.
 *
 * @param lastRows per chunk in the caller's order, the row of its last token (the logits returned)
 */
record StepBatch(Rows rows, Decodes decodes, Chunks chunks, long[] lastRows) {

    /**
     * One entry per token, decode tokens first, then each chunk's tokens.
     *
     * @param positions each token's position in its sequence
     * @param slots each token's pool row: {@code table[p / blockSize] * blockSize + p % blockSize}
     */
    record Rows(long[] tokens, long[] positions, long[] slots) {}

    /**
     * The single-token chunks, rows {@code 0 .. count-1}.
     *
     * @param tables their block tables up to their token, padded with their first block [count * width]
     */
    record Decodes(int count, long[] tables, int width) {}

    /**
     * The multi-token chunks, after the decodes.
     *
     * @param tables their block tables up to their last token, one after another
     */
    record Chunks(long[] starts, long[] lengths, long[] tables) {}

    /** Lays out {@code chunks}; every block a chunk's positions reach must be in its table and in the pool. */
    static StepBatch of(List<ModelStep.Chunk> chunks, int blockSize, int numBlocks) {
        if (chunks.isEmpty()) {
            throw new IllegalArgumentException("a forward needs at least one chunk");
        }
        List<Integer> decodes = new ArrayList<>();
        List<Integer> multi = new ArrayList<>();
        int total = 0;
        int decodeWidth = 0;
        for (int i = 0; i < chunks.size(); i++) {
            ModelStep.Chunk c = chunks.get(i);
            int blocks = blocksReached(c, blockSize, numBlocks, i);
            total += c.tokens().length;
            if (c.tokens().length == 1) {
                decodes.add(i);
                decodeWidth = Math.max(decodeWidth, blocks);
            } else {
                multi.add(i);
            }
        }
        long[] tokens = new long[total];
        long[] positions = new long[total];
        long[] slots = new long[total];
        long[] lastRows = new long[chunks.size()];
        long[] decodeTables = new long[decodes.size() * decodeWidth];
        int row = 0;
        for (int d = 0; d < decodes.size(); d++) {
            ModelStep.Chunk c = chunks.get(decodes.get(d));
            row = place(c, blockSize, tokens, positions, slots, row);
            lastRows[decodes.get(d)] = row - 1;
            int blocks = blocksOf(c, blockSize);
            for (int b = 0; b < decodeWidth; b++) {
                decodeTables[d * decodeWidth + b] = c.blockTable()[b < blocks ? b : 0];
            }
        }
        long[] chunkStarts = new long[multi.size()];
        long[] chunkLengths = new long[multi.size()];
        long[] chunkTables = new long[multi.stream().mapToInt(m -> blocksOf(chunks.get(m), blockSize)).sum()];
        int tableEnd = 0;
        for (int m = 0; m < multi.size(); m++) {
            ModelStep.Chunk c = chunks.get(multi.get(m));
            row = place(c, blockSize, tokens, positions, slots, row);
            lastRows[multi.get(m)] = row - 1;
            chunkStarts[m] = c.start();
            chunkLengths[m] = c.tokens().length;
            for (int b = 0; b < blocksOf(c, blockSize); b++) {
                chunkTables[tableEnd++] = c.blockTable()[b];
            }
        }
        return new StepBatch(new Rows(tokens, positions, slots), new Decodes(decodes.size(), decodeTables, decodeWidth),
                new Chunks(chunkStarts, chunkLengths, chunkTables), lastRows);
    }

    /** Writes the chunk's tokens, positions and slots from {@code row}; returns the next row. */
    private static int place(ModelStep.Chunk c, int blockSize, long[] tokens, long[] positions, long[] slots, int row) {
        for (int t = 0; t < c.tokens().length; t++, row++) {
            int p = c.start() + t;
            tokens[row] = c.tokens()[t];
            positions[row] = p;
            slots[row] = (long) c.blockTable()[p / blockSize] * blockSize + p % blockSize;
        }
        return row;
    }

    /** Blocks the chunk's positions reach: up to the one holding its last token. */
    private static int blocksOf(ModelStep.Chunk c, int blockSize) {
        return (c.start() + c.tokens().length - 1) / blockSize + 1;
    }

    /** {@link #blocksOf}, checked against the chunk's table and the pool. */
    private static int blocksReached(ModelStep.Chunk c, int blockSize, int numBlocks, int index) {
        int last = c.start() + c.tokens().length - 1;
        int blocks = blocksOf(c, blockSize);
        if (blocks > c.blockTable().length) {
            throw new IllegalArgumentException("chunk " + index + " reaches position " + last + " (block " + (blocks - 1)
                    + ") but its table names " + c.blockTable().length + " block(s)");
        }
        for (int b = 0; b < blocks; b++) {
            int block = c.blockTable()[b];
            if (block < 0 || block >= numBlocks) {
                throw new IllegalArgumentException("chunk " + index + " names block " + block + " outside the pool of "
                        + numBlocks);
            }
        }
        return blocks;
    }
}
