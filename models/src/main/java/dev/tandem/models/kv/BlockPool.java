package dev.tandem.models.kv;

import java.util.HashMap;
import java.util.Map;

/**
 * The blocks of the KV pool: how many sequences hold each (reference counts), which are free, and which
 * hold a cached prefix (a hash to block map). A free block may still hold a cached prefix: it stays
 * findable until it is handed out again, least recently used first, and then it is evicted.
 */
final class BlockPool {
    private final int[] holders;
    private final BlockHash[] hashOf;
    private final Map<BlockHash, Integer> cached = new HashMap<>();
    private final FreeBlockQueue free;
    private long evictions;

    BlockPool(int blocks) {
        if (blocks < 1) {
            throw new IllegalArgumentException("a KV pool needs >= 1 block");
        }
        holders = new int[blocks];
        hashOf = new BlockHash[blocks];
        free = new FreeBlockQueue(blocks);
    }

    int size() {
        return holders.length;
    }

    /** Blocks nobody holds, cached or not. */
    int free() {
        return free.size();
    }

    boolean isFree(int block) {
        return free.contains(block);
    }

    long evictions() {
        return evictions;
    }

    /** A block for new contents, held once; the prefix it cached, if any, is evicted. */
    int take() {
        int block = free.poll();
        BlockHash hash = hashOf[block];
        if (hash != null) {
            cached.remove(hash);
            hashOf[block] = null;
            evictions++;
        }
        holders[block] = 1;
        return block;
    }

    /** The block caching {@code hash}, or -1. */
    int cachedBlock(BlockHash hash) {
        Integer block = cached.get(hash);
        return block == null ? -1 : block;
    }

    BlockHash hashOf(int block) {
        return hashOf[block];
    }

    /** One more holder of a cached block (a prefix-cache hit); a free one leaves the free queue. */
    void share(int block) {
        if (hashOf[block] == null) {
            throw new IllegalStateException("block " + block + " caches nothing: it cannot be shared");
        }
        if (free.contains(block)) {
            free.remove(block);
        }
        holders[block]++;
    }

    /**
     * Caches a full, computed block under {@code hash}: from now on it is only read. Returns false when
     * another block caches the same tokens already (two sequences computed them at once); this one stays
     * private and is reused first when freed.
     */
    boolean register(int block, BlockHash hash) {
        if (holders[block] == 0 || hashOf[block] != null) {
            throw new IllegalStateException("block " + block + " is free or cached already");
        }
        if (cached.putIfAbsent(hash, block) != null) {
            return false;
        }
        hashOf[block] = hash;
        return true;
    }

    /** One holder fewer. A block nobody holds is free: at the tail when it caches a prefix, at the head when not. */
    void release(int block) {
        if (holders[block] <= 0) {
            throw new IllegalStateException("block " + block + " is not held");
        }
        if (--holders[block] == 0) {
            if (hashOf[block] != null) {
                free.addLast(block);
            } else {
                free.addFirst(block);
            }
        }
    }

    /** How many sequences hold {@code block} (for tests). */
    int holders(int block) {
        return holders[block];
    }
}
