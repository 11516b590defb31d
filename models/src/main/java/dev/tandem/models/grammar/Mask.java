package dev.tandem.models.grammar;

import java.util.Arrays;

/**
 * The tokens one grammar state allows (EOS aside), as a bit set or, when few, as a list of ids; and
 * the tokens that lengthen the shortest completion, with how much (what the token budget checks: near
 * the end of a budget those that would no longer fit are taken out).
 */
final class Mask {
    private final long[] bits;
    private final int[] ids;
    final int count;
    /** The largest growth of the shortest completion over the allowed tokens (negative: all shorten it). */
    final int maxGrowth;
    /** The allowed tokens after which the shortest completion is longer, and by how much. */
    private final int[] growingIds;
    private final int[] growths;

    private Mask(long[] bits, int[] ids, int count, int maxGrowth, int[] growingIds, int[] growths) {
        this.bits = bits;
        this.ids = ids;
        this.count = count;
        this.maxGrowth = maxGrowth;
        this.growingIds = growingIds;
        this.growths = growths;
    }

    /** Walks {@code vocabulary} from {@code state}. */
    static Mask build(Vocabulary vocabulary, State state) {
        long[] bits = new long[words(vocabulary.size)];
        int[] count = {0};
        int[] growth = {Integer.MIN_VALUE};
        java.util.TreeMap<Integer, Integer> growing = new java.util.TreeMap<>();
        vocabulary.walk(state, (token, after) -> {
            bits[token >>> 6] |= 1L << token;
            count[0]++;
            int g = after.remaining - state.remaining;
            growth[0] = Math.max(growth[0], g);
            if (g > 0) {
                growing.put(token, g);
            }
        });
        int[] growingIds = growing.keySet().stream().mapToInt(Integer::intValue).toArray();
        int[] growths = growing.values().stream().mapToInt(Integer::intValue).toArray();
        if ((long) count[0] * 32 >= vocabulary.size) {
            return new Mask(bits, null, count[0], growth[0], growingIds, growths);
        }
        int[] ids = new int[count[0]];
        int n = 0;
        for (int w = 0; w < bits.length; w++) {
            for (long word = bits[w]; word != 0; word &= word - 1) {
                ids[n++] = (w << 6) + Long.numberOfTrailingZeros(word);
            }
        }
        return new Mask(null, ids, n, growth[0], growingIds, growths);
    }

    static int words(int vocabularySize) {
        return (vocabularySize + 63) >>> 6;
    }

    /** Sets the allowed tokens in {@code allowed} (ids beyond its length are left out). */
    void fill(long[] allowed) {
        if (bits != null) {
            int n = Math.min(bits.length, allowed.length);
            for (int w = 0; w < n; w++) {
                allowed[w] |= bits[w];
            }
        } else {
            for (int id : ids) {
                if ((id >>> 6) < allowed.length) {
                    allowed[id >>> 6] |= 1L << id;
                }
            }
        }
    }

    /**
     * As {@link #fill}, less the tokens after which the shortest completion, {@code remaining} now,
     * would no longer fit in {@code tokensLeft}.
     */
    void fillWithin(long[] allowed, int remaining, int tokensLeft) {
        fill(allowed);
        for (int i = 0; i < growingIds.length; i++) {
            int id = growingIds[i];
            if (Lengths.add(remaining, growths[i]) > tokensLeft && (id >>> 6) < allowed.length) {
                allowed[id >>> 6] &= ~(1L << id);
            }
        }
    }

    /** Bytes this mask holds (for the cache's accounting). */
    long bytes() {
        return bits != null ? 8L * bits.length : 4L * ids.length;
    }

    @Override
    public String toString() {
        return "Mask[" + count + (ids != null ? " " + Arrays.toString(Arrays.copyOf(ids, Math.min(ids.length, 16))) : "") + "]";
    }
}
