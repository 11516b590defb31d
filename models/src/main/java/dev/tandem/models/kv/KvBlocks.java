package dev.tandem.models.kv;

import java.util.Arrays;

/**
 * vLLM's block manager: hands out fixed-size KV blocks of a pool to sequences' {@link BlockTable}s as
 * their positions grow, nothing reserved ahead, and takes them back. With prefix caching on, every
 * full block a sequence has computed is cached under the hash of its tokens and all before them; a
 * later sequence whose tokens start the same way shares those blocks, read-only, and computes only the
 * rest. A cached block nobody holds stays findable until the pool needs it, least recently used first.
 * Used by the engine thread only.
 */
public final class KvBlocks {
    private final BlockPool pool;
    private final int blockSize;
    private final boolean prefixCaching;
    private long queriedTokens;
    private long hitTokens;

    public KvBlocks(int blocks, int blockSize, boolean prefixCaching) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be >= 1");
        }
        this.pool = new BlockPool(blocks);
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
    }

    public int blockSize() {
        return blockSize;
    }

    public int totalBlocks() {
        return pool.size();
    }

    /** Blocks no sequence holds (some may cache a prefix until they are needed). */
    public int freeBlocks() {
        return pool.free();
    }

    /** Blocks a table needs for positions {@code [0, positions)}. */
    public int blocksFor(int positions) {
        return (positions + blockSize - 1) / blockSize;
    }

    /**
     * The cached blocks holding the longest run of full blocks at the start of {@code tokens[0, length)}.
     * The last token is never served from the cache (its logits are needed), so at most the full blocks
     * of the first {@code length - 1} tokens can hit. Changes nothing; {@link #allocate} takes the hit.
     */
    public PrefixHit lookup(BlockTable table, int[] tokens, int length) {
        if (!prefixCaching) {
            return PrefixHit.NONE;
        }
        int candidates = (length - 1) / blockSize;
        int[] hits = new int[candidates];
        int found = 0;
        while (found < candidates) {
            int block = pool.cachedBlock(table.hash(found, tokens, blockSize));
            if (block < 0) {
                break;
            }
            hits[found++] = block;
        }
        return new PrefixHit(Arrays.copyOf(hits, found), found * blockSize, length);
    }

    /**
     * Gives {@code table} the blocks for positions {@code [0, positions)}: first {@code hit}'s cached blocks
     * (only into an empty table), then new ones. Returns false, changing nothing, when the free blocks
     * do not suffice; cached blocks nobody holds count as free and are evicted as needed.
     */
    public boolean allocate(BlockTable table, PrefixHit hit, int positions) {
        if (hit.blocks().length > 0 && table.size() > 0) {
            throw new IllegalStateException("a prefix hit can only start an empty table");
        }
        int fresh = Math.max(0, blocksFor(positions) - table.size() - hit.blocks().length);
        int hitsNowFree = 0;
        for (int i = 0; i < hit.blocks().length; i++) {
            int block = hit.blocks()[i];
            if (!table.knownHash(i).equals(pool.hashOf(block))) {
                throw new IllegalStateException("a stale prefix hit: block " + block + " was evicted since the lookup");
            }
            if (pool.isFree(block)) {
                hitsNowFree++;
            }
        }
        if (fresh > pool.free() - hitsNowFree) {
            return false;
        }
        // The hit first: its free blocks must leave the free queue before new blocks are taken from it
        for (int block : hit.blocks()) {
            pool.share(block);
            table.add(block);
            table.registered++; // cached already: read-only
        }
        for (int i = 0; i < fresh; i++) {
            table.add(pool.take());
        }
        queriedTokens += hit.queriedTokens();
        hitTokens += hit.tokens();
        return true;
    }

    /**
     * After a forward computed positions {@code [0, computed)} of the sequence of {@code tokens}: caches
     * its full blocks not cached yet, which are read-only from now on.
     */
    public void cacheComputed(BlockTable table, int[] tokens, int computed) {
        if (!prefixCaching) {
            return;
        }
        int full = Math.min(computed / blockSize, table.size());
        for (int i = table.registered; i < full; i++) {
            pool.register(table.block(i), table.hash(i, tokens, blockSize));
        }
        table.registered = Math.max(table.registered, full);
    }

    /** Takes back every block of {@code table}, last first, so a sequence's cached tail is evicted before its head. */
    public void free(BlockTable table) {
        for (int i = table.size() - 1; i >= 0; i--) {
            pool.release(table.block(i));
        }
        table.clear();
    }

    /** Tokens looked up in the prefix cache by sequences that were then admitted. */
    public long queriedTokens() {
        return queriedTokens;
    }

    /** Tokens those sequences found cached (not computed). */
    public long hitTokens() {
        return hitTokens;
    }

    /** Cached blocks handed out for new contents. */
    public long evictedBlocks() {
        return pool.evictions();
    }

    /** How many tables hold {@code block} (for tests). */
    int holders(int block) {
        return pool.holders(block);
    }
}
