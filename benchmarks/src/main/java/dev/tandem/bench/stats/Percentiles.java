package dev.tandem.bench.stats;

import java.util.Arrays;

/**
 * Summary of a set of latency samples, in milliseconds. Percentiles are nearest-rank on the sorted
 * samples (the same definition for every tool, so figures compare).
 */
public record Percentiles(int count, double p50, double p95, double p99, double max, double mean) {

    public static final Percentiles EMPTY = new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** From samples in nanoseconds; the array is sorted in place. */
    public static Percentiles ofNanos(long[] nanos) {
        if (nanos.length == 0) {
            return EMPTY;
        }
        Arrays.sort(nanos);
        double sum = 0;
        for (long n : nanos) {
            sum += n;
        }
        return new Percentiles(
                nanos.length,
                ms(rank(nanos, 0.50)),
                ms(rank(nanos, 0.95)),
                ms(rank(nanos, 0.99)),
                ms(nanos[nanos.length - 1]),
                sum / nanos.length / 1e6);
    }

    /** Each percentile of {@code this} minus the same percentile of {@code base}: an added-latency view. */
    public Percentiles minus(Percentiles base) {
        return new Percentiles(count, p50 - base.p50, p95 - base.p95, p99 - base.p99, max - base.max, mean - base.mean);
    }

    private static long rank(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
