package dev.tandem.models;

/**
 * Counters of the engine's KV cache since it started, for metrics.
 *
 * @param prefixQueriedTokens tokens of admitted sequences looked up in the prefix cache
 * @param prefixHitTokens of those, tokens found cached (their keys and values were not computed)
 * @param evictedBlocks cached blocks given up for new contents, least recently used first
 * @param preemptions times a running sequence was freed to make room, to be recomputed later
 */
public record KvStats(long prefixQueriedTokens, long prefixHitTokens, long evictedBlocks, long preemptions) {
    public static final KvStats NONE = new KvStats(0, 0, 0, 0);

    /** Hit tokens per queried token; 0 before any query. */
    public double prefixHitRate() {
        return prefixQueriedTokens == 0 ? 0 : (double) prefixHitTokens / prefixQueriedTokens;
    }
}
