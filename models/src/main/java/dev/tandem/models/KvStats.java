package dev.tandem.models;

/**
 * The engine's KV cache for metrics: counters since it started, and its block pool after the last step.
 *
 * @param prefixQueriedTokens tokens of admitted sequences looked up in the prefix cache
 * @param prefixHitTokens of those, tokens found cached (their keys and values were not computed)
 * @param evictedBlocks cached blocks given up for new contents, least recently used first
 * @param preemptions times a running sequence was freed to make room, to be recomputed later
 * @param blocks the pool now
 */
public record KvStats(long prefixQueriedTokens, long prefixHitTokens, long evictedBlocks, long preemptions, Blocks blocks) {
    public static final KvStats NONE = new KvStats(0, 0, 0, 0, Blocks.NONE);

    /**
     * The block pool: blocks held by sequences, and free ones (among them blocks that still hold a cached
     * prefix, reused on a hit or evicted when room is needed).
     */
    public record Blocks(int size, int used, int free) {
        public static final Blocks NONE = new Blocks(1, 0, 0);

        public Blocks {
            if (size < 1 || used < 0 || free < 0) {
                throw new IllegalArgumentException("block size must be >= 1 and block counts >= 0");
            }
        }

        public int total() {
            return used + free;
        }
    }

    /** Hit tokens per queried token; 0 before any query. */
    public double prefixHitRate() {
        return prefixQueriedTokens == 0 ? 0 : (double) prefixHitTokens / prefixQueriedTokens;
    }

    /** The same counters with nothing else: what a pool that was never used reports, whatever its size. */
    public KvStats counters() {
        return new KvStats(prefixQueriedTokens, prefixHitTokens, evictedBlocks, preemptions, Blocks.NONE);
    }
}
