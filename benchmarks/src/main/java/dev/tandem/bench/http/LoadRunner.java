package dev.tandem.bench.http;

import dev.tandem.bench.stats.LatencyRecorder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives an {@link HttpDriver} open-loop (requests at a fixed rate whatever the server does; latency
 * counted from each request's scheduled time, so a slow server cannot hide its queueing) or
 * closed-loop (a fixed number of clients, each sending its next request when the last one ends).
 * Every run is bounded by a duration and by a request count.
 */
public final class LoadRunner {
    private static final int MAX_SAMPLES = 1_000_000;

    private final HttpDriver driver;
    private final List<RequestSpec> mix;

    /** {@code mix}: requests sent in turn (repeat an entry to weight it). */
    public LoadRunner(HttpDriver driver, List<RequestSpec> mix) {
        if (mix.isEmpty()) {
            throw new IllegalArgumentException("the request mix is empty");
        }
        this.driver = driver;
        this.mix = List.copyOf(mix);
    }

    /**
     * Open loop at {@code ratePerSecond} for {@code duration} or {@code maxRequests}; at most
     * {@code maxInFlight} outstanding (past it a due request is counted as "client-overrun").
     */
    public LoadResult openLoop(String label, double ratePerSecond, Duration duration, long maxRequests, int maxInFlight) {
        Tally tally = new Tally();
        Semaphore inFlight = new Semaphore(maxInFlight);
        long interval = (long) (1e9 / ratePerSecond);
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        long sent = 0;
        for (long i = 0; i < maxRequests; i++) {
            long due = start + i * interval;
            if (due >= deadline) {
                break;
            }
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            sent++;
            if (!inFlight.tryAcquire()) {
                tally.count("client-overrun");
                continue;
            }
            driver.send(mix.get((int) (i % mix.size())), due)
                    .whenComplete((o, t) -> {
                        tally.add(o, t); // before the release: the drain below must see every outcome
                        inFlight.release();
                    });
        }
        drain(inFlight, maxInFlight, Duration.ofSeconds(60));
        double seconds = (System.nanoTime() - start) / 1e9;
        return tally.result(label, String.format("%.0f req/s", ratePerSecond), ratePerSecond, seconds, sent);
    }

    /** Closed loop: {@code concurrency} clients back to back, for {@code duration} or {@code maxRequests}. */
    public LoadResult closedLoop(String label, int concurrency, Duration duration, long maxRequests) {
        Tally tally = new Tally();
        AtomicLong issued = new AtomicLong();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        CompletableFuture<?>[] clients = new CompletableFuture<?>[concurrency];
        for (int c = 0; c < concurrency; c++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            clients[c] = done;
            next(done, tally, issued, deadline, maxRequests);
        }
        try {
            CompletableFuture.allOf(clients).get(duration.toSeconds() + 120, TimeUnit.SECONDS);
        } catch (Exception e) {
            tally.count("client-timeout");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return tally.result(label, "c=" + concurrency, concurrency, seconds, issued.get());
    }

    /** One client's next request; its completion sends the one after (no future chain grows). */
    private void next(CompletableFuture<Void> done, Tally tally, AtomicLong issued, long deadline, long maxRequests) {
        long n = issued.getAndIncrement();
        if (n >= maxRequests || System.nanoTime() >= deadline) {
            issued.decrementAndGet();
            done.complete(null);
            return;
        }
        driver.send(mix.get((int) (n % mix.size())), System.nanoTime())
                .whenComplete((o, t) -> {
                    tally.add(o, t);
                    next(done, tally, issued, deadline, maxRequests);
                });
    }

    private static void drain(Semaphore inFlight, int permits, Duration max) {
        try {
            if (inFlight.tryAcquire(permits, max.toMillis(), TimeUnit.MILLISECONDS)) {
                inFlight.release(permits);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Outcomes of one run, collected from many threads. */
    public static final class Tally {
        final LatencyRecorder latency = new LatencyRecorder(MAX_SAMPLES);
        final LatencyRecorder ttft = new LatencyRecorder(MAX_SAMPLES);
        final LatencyRecorder tpot = new LatencyRecorder(MAX_SAMPLES);
        final LatencyRecorder firstByte = new LatencyRecorder(MAX_SAMPLES);
        final Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
        final LongAdder ok = new LongAdder();
        final LongAdder tokens = new LongAdder();

        void count(String kind) {
            kinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
        }

        public void add(Outcome o, Throwable t) {
            if (o == null) {
                count("client-error:" + (t == null ? "?" : t.getClass().getSimpleName()));
                return;
            }
            count(o.backend() == null ? o.kind() : o.kind() + " " + o.backend() + "/" + o.route());
            if (o.firstByteNanos() >= 0) {
                firstByte.record(o.firstByteNanos());
            }
            if (!o.ok()) {
                return;
            }
            ok.increment();
            tokens.add(o.outputTokens());
            latency.record(o.totalNanos());
            if (o.firstTokenNanos() >= 0) {
                ttft.record(o.firstTokenNanos());
            }
            if (o.perTokenNanos() >= 0) {
                tpot.record(o.perTokenNanos());
            }
        }

        public LoadResult result(String label, String offered, double offeredValue, double seconds, long sent) {
            Map<String, Long> outcomes = new TreeMap<>();
            kinds.forEach((k, v) -> outcomes.put(k, v.sum()));
            long okCount = ok.sum();
            long all = outcomes.values().stream().mapToLong(Long::longValue).sum();
            return new LoadResult(label, offered, offeredValue, seconds, sent, okCount, all - okCount, outcomes,
                    latency.percentiles(), ttft.percentiles(), tpot.percentiles(), firstByte.percentiles(), tokens.sum());
        }
    }
}
