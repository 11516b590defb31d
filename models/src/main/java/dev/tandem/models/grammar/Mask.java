package dev.tandem.models.grammar;

import java.util.Arrays;

/**
 * The tokens one grammar state allows (EOS aside), as a bit set or, when few, as a list of ids; and
 * how much one of them can lengthen the shortest completion (what the token budget checks).
 */
final class Mask {
    private final long[] bits;
    private final int[] ids;
    final int count;
    /** The largest growth of the shortest completion over the allowed tokens (negative: all shorten it). */
    final int maxGrowth;

    private Mask(long[] bits, int[] ids, int count, int maxGrowth) {
        this.bits = bits;
        this.ids = ids;
        this.count = count;
        this.maxGrowth = maxGrowth;
    }

    /** Walks {@code vocabulary} from {@code state}. */
    static Mask build(Vocabulary vocabulary, State state) {
        long[] bits = new long[words(vocabulary.size)];
        int[] count = {0};
        int[] growth = {Integer.MIN_VALUE};
        vocabulary.walk(state, (token, after) -> {
            bits[token >>> 6] |= 1L << token;
            count[0]++;
            growth[0] = Math.max(growth[0], after.remaining - state.remaining);
        });
        if ((long) count[0] * 32 >= vocabulary.size) {
            return new Mask(bits, null, count[0], growth[0]);
        }
        int[] ids = new int[count[0]];
        int n = 0;
        for (int w = 0; w < bits.length; w++) {
            for (long word = bits[w]; word != 0; word &= word - 1) {
                ids[n++] = (w << 6) + Long.numberOfTrailingZeros(word);
            }
        }
        return new Mask(null, ids, n, growth[0]);
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

    /** Bytes this mask holds (for the cache's accounting). */
    long bytes() {
        return bits != null ? 8L * bits.length : 4L * ids.length;
    }

    @Override
    public String toString() {
        return "Mask[" + count + (ids != null ? " " + Arrays.toString(Arrays.copyOf(ids, Math.min(ids.length, 16))) : "") + "]";
    }
}
