package dev.tandem.bench.stats;

import java.util.Arrays;

/**
 * Thread-safe collector of latency samples (nanoseconds). Bounded: past {@code capacity} samples it
 * keeps counting but stops storing, so a long soak cannot exhaust the heap.
 */
public final class LatencyRecorder {
    private final long[] samples;
    private int size;
    private long seen;

    public LatencyRecorder(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.samples = new long[capacity];
    }

    public synchronized void record(long nanos) {
        seen++;
        if (size < samples.length) {
            samples[size++] = nanos;
        }
    }

    /** Samples offered, stored or not. */
    public synchronized long seen() {
        return seen;
    }

    public synchronized Percentiles percentiles() {
        return Percentiles.ofNanos(Arrays.copyOf(samples, size));
    }
}
