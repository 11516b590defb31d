package dev.tandem.models.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One sequence's blocks, in position order: position {@code p} lives in block {@code block(p / blockSize)}.
 * It also remembers the hash chain of the sequence's full blocks, which depends on the tokens only and
 * so outlives the blocks themselves (a preempted sequence looks its prefix up again). Used by the engine
 * thread only.
 */
public final class BlockTable {
    private int[] blocks = new int[4];
    private int size;
    /** Leading blocks already offered to the prefix cache: read-only from then on. */
    int registered;
    private final List<BlockHash> hashes = new ArrayList<>();

    /** Blocks held. */
    public int size() {
        return size;
    }

    public int block(int index) {
        if (index >= size) {
            throw new IndexOutOfBoundsException("block " + index + " of a table of " + size);
        }
        return blocks[index];
    }

    /** A copy of the block ids, for a forward. */
    public int[] toArray() {
        return Arrays.copyOf(blocks, size);
    }

    void add(int block) {
        if (size == blocks.length) {
            blocks = Arrays.copyOf(blocks, 2 * size);
        }
        blocks[size++] = block;
    }

    void clear() {
        size = 0;
        registered = 0;
    }

    /** The hash of full block {@code index} of {@code tokens}, which must hold its positions; computed once. */
    BlockHash hash(int index, int[] tokens, int blockSize) {
        for (int i = hashes.size(); i <= index; i++) {
            BlockHash parent = i == 0 ? null : hashes.get(i - 1);
            hashes.add(BlockHash.of(parent, tokens, i * blockSize, (i + 1) * blockSize));
        }
        return hashes.get(index);
    }

    /** The hash of full block {@code index}, computed before by {@link #hash}. */
    BlockHash knownHash(int index) {
        return hashes.get(index);
    }
}
