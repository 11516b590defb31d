package dev.tandem.bench.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streaming-read memory bandwidth: sums a region far larger than the caches (several {@code long[]}
 * chunks of 256 MiB) with 1 or more threads, and reports GB/s (10^9 bytes per second). This is the
 * ceiling for batch-1 decode, which must read every weight once per token.
 */
public final class BandwidthProbe implements AutoCloseable {
    private static final int CHUNK_LONGS = 32 * 1024 * 1024; // 256 MiB per chunk

    private final long[][] chunks;
    private final long bytes;
    private volatile long sink;

    /** Allocates and touches {@code bytes} (rounded up to whole chunks, or one smaller chunk). */
    public BandwidthProbe(long bytes) {
        if (bytes < 8 * 1024) {
            throw new IllegalArgumentException("region must be at least 8 KiB");
        }
        long longs = bytes / 8;
        List<long[]> list = new ArrayList<>();
        while (longs > 0) {
            int n = (int) Math.min(CHUNK_LONGS, longs);
            long[] chunk = new long[n];
            Arrays.fill(chunk, list.size() + 1L); // touch every page
            list.add(chunk);
            longs -= n;
        }
        this.chunks = list.toArray(new long[0][]);
        this.bytes = Arrays.stream(chunks).mapToLong(c -> c.length * 8L).sum();
    }

    public long bytes() {
        return bytes;
    }

    /** One timed pass over the whole region split across {@code threads}; returns GB/s. */
    public double pass(int threads) throws Exception {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<Long>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(() -> sumEvery(first, threads));
            }
            // Start the threads before the clock: first a tiny warm task on each.
            pool.invokeAll(List.<Callable<Long>>of(() -> 0L));
            long start = System.nanoTime();
            long total = 0;
            for (Future<Long> f : pool.invokeAll(parts)) {
                total += f.get();
            }
            long elapsed = System.nanoTime() - start;
            sink = total;
            return bytes / (elapsed / 1e9) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The median of {@code passes} passes after one warm-up pass. */
    public Result measure(int threads, int passes) throws Exception {
        pass(threads); // JIT and page warm-up
        double[] gbs = new double[passes];
        for (int i = 0; i < passes; i++) {
            gbs[i] = pass(threads);
        }
        Arrays.sort(gbs);
        return new Result(threads, bytes, gbs[gbs.length / 2], gbs[gbs.length - 1], gbs[0]);
    }

    /** Threads split the region by whole chunks when there are enough, else by halves of a chunk. */
    private long sumEvery(int first, int threads) {
        long s = 0;
        if (chunks.length >= threads) {
            for (int c = first; c < chunks.length; c += threads) {
                s += sum(chunks[c], 0, chunks[c].length);
            }
        } else {
            for (long[] chunk : chunks) {
                int per = chunk.length / threads;
                int from = first * per;
                int to = first == threads - 1 ? chunk.length : from + per;
                s += sum(chunk, from, to);
            }
        }
        return s;
    }

    /** Four independent accumulators so the adds never wait on each other; memory is the limit. */
    private static long sum(long[] a, int from, int to) {
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        for (; i < to; i++) {
            s0 += a[i];
        }
        return s0 + s1 + s2 + s3;
    }

    @Override
    public void close() {
        Arrays.fill(chunks, null);
    }

    /** GB/s over {@code bytes}: median, best and worst of the passes. */
    public record Result(int threads, long bytes, double medianGBs, double bestGBs, double worstGBs) {}

    /** {@code java ... BandwidthProbe [GiB] [passes]}: prints one line per thread count. */
    public static void main(String[] args) throws Exception {
        double gib = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (BandwidthProbe probe = new BandwidthProbe((long) (gib * (1L << 30)))) {
            for (int threads = 1; threads <= 2; threads++) {
                Result r = probe.measure(threads, passes);
                System.out.printf("bandwidth threads=%d region=%.2fGiB median=%.1fGB/s best=%.1fGB/s worst=%.1fGB/s%n",
                        r.threads(), r.bytes() / (double) (1L << 30), r.medianGBs(), r.bestGBs(), r.worstGBs());
            }
        }
    }
}
