package dev.tandem.models.checkpoint;

import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of loading weights, for a log line every few seconds: a 13B checkpoint takes minutes to
 * read, and an operator should see that it moves. Call {@link #advance(long)} after each tensor.
 * Thread-safe.
 */
public final class LoadProgress {
    private static final Logger LOG = LoggerFactory.getLogger(LoadProgress.class);
    private static final long LOG_INTERVAL_NANOS = 2_000_000_000L;

    /** Receives a progress line; the default writes to SLF4J at INFO. */
    @FunctionalInterface
    public interface Sink {
        void report(String line);
    }

    private final long totalBytes;
    private final Sink sink;
    private final LongSupplier nanoTime;
    private final long startNanos;
    private long doneBytes;
    private long lastReportNanos;
    private boolean finished;

    LoadProgress(long totalBytes, Sink sink, LongSupplier nanoTime) {
        if (totalBytes < 0) {
            throw new IllegalArgumentException("totalBytes must be >= 0");
        }
        this.totalBytes = totalBytes;
        this.sink = sink;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
        this.lastReportNanos = startNanos;
    }

    /** Logs through SLF4J at most every ~2 s, and once at 100%. */
    public static LoadProgress logging(long totalBytes) {
        return new LoadProgress(totalBytes, LOG::info, System::nanoTime);
    }

    /** Reports to {@code sink} at most every ~2 s, and once at 100%. */
    public static LoadProgress to(long totalBytes, Sink sink) {
        return new LoadProgress(totalBytes, sink, System::nanoTime);
    }

    /** Counts {@code bytes} more as loaded and reports when it is time to. */
    public synchronized void advance(long bytes) {
        doneBytes += bytes;
        long now = nanoTime.getAsLong();
        if (doneBytes >= totalBytes && !finished) {
            finished = true;
            sink.report(line(now));
        } else if (now - lastReportNanos >= LOG_INTERVAL_NANOS && !finished) {
            lastReportNanos = now;
            sink.report(line(now));
        }
    }

    public synchronized long doneBytes() {
        return doneBytes;
    }

    /** Between 0 and 1 (1 when there is nothing to load). */
    public synchronized double fraction() {
        return totalBytes == 0 ? 1 : Math.min(1, (double) doneBytes / totalBytes);
    }

    private String line(long now) {
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        double mb = doneBytes / 1e6;
        return String.format(Locale.ROOT, "loading weights: %5.1f%% (%.0f of %.0f MB, %.0f MB/s, %.1f s)",
                fraction() * 100, mb, totalBytes / 1e6, mb / seconds, seconds);
    }
}
