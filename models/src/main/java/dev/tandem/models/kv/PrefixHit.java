package dev.tandem.models.kv;

/**
 * Cached blocks that hold the start of a sequence's tokens, found by {@link KvBlocks#lookup}: the
 * sequence computes only what follows them. Valid until the pool changes (use it in the same step).
 *
 * @param tokens positions the blocks hold (whole blocks)
 * @param queriedTokens the sequence's tokens when it was looked up (for the hit rate)
 */
public record PrefixHit(int[] blocks, int tokens, int queriedTokens) {
    /** Nothing cached, nothing looked up. */
    public static final PrefixHit NONE = new PrefixHit(new int[0], 0, 0);
}
