package dev.tandem.server.remote;

import dev.tandem.server.core.Assert;
import java.time.Duration;

/**
 * Failsafe settings of one upstream (defaults in {@code tandem-defaults.yaml}; {@link #toBuilder()}
 * changes a copy); times in milliseconds.
 *
 * @param connectTimeoutMs TCP/TLS connect
 * @param firstByteTimeoutMs from sending the request to the response headers
 * @param idleTimeoutMs the longest silence between two stream lines (Anthropic pings every ~15 s)
 * @param replyTimeoutMs a non-streamed answer, from sending the request to the response headers: the
 *     upstream sends them when the whole answer is written, so this bounds the whole generation
 * @param wholeReplyMaxTokens a non-streaming caller's request is asked for whole up to this max_tokens;
 *     a longer one is streamed (no bound on the whole generation, only on silences) and gathered
 * @param maxAttempts attempts per request, first included
 * @param maxRetryMs the whole retrying must fit in this; a longer Retry-After hint is not waited for
 * @param backoffMs first retry delay, doubled per attempt up to {@code backoffMaxMs}
 * @param jitter +- this fraction of the backoff, at random
 * @param circuitFailures consecutive failures that open the circuit
 * @param circuitOpenMs how long the circuit stays open before a half-open probe
 * @param maxConcurrent concurrent calls to this upstream (bulkhead); more fail over at once
 */
public record Resilience(
        long connectTimeoutMs,
        long firstByteTimeoutMs,
        long idleTimeoutMs,
        long replyTimeoutMs,
        int wholeReplyMaxTokens,
        int maxAttempts,
        long maxRetryMs,
        long backoffMs,
        long backoffMaxMs,
        double jitter,
        int circuitFailures,
        long circuitOpenMs,
        int maxConcurrent) {

    public Resilience {
        positive(connectTimeoutMs, "connectTimeoutMs");
        positive(firstByteTimeoutMs, "firstByteTimeoutMs");
        positive(idleTimeoutMs, "idleTimeoutMs");
        positive(replyTimeoutMs, "replyTimeoutMs");
        positive(wholeReplyMaxTokens, "wholeReplyMaxTokens");
        positive(maxAttempts, "maxAttempts");
        positive(maxRetryMs, "maxRetryMs");
        positive(backoffMs, "backoffMs");
        positive(backoffMaxMs, "backoffMaxMs");
        positive(circuitFailures, "circuitFailures");
        positive(circuitOpenMs, "circuitOpenMs");
        positive(maxConcurrent, "maxConcurrent");
        Assert.isTrue(jitter >= 0 && jitter < 1, "resilience.jitter must be in [0, 1)");
    }

    private static void positive(long v, String name) {
        Assert.isTrue(v >= 1, "resilience." + name + " must be >= 1");
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    Duration connectTimeout() {
        return Duration.ofMillis(connectTimeoutMs);
    }

    Duration firstByteTimeout() {
        return Duration.ofMillis(firstByteTimeoutMs);
    }

    Duration replyTimeout() {
        return Duration.ofMillis(replyTimeoutMs);
    }

    Duration idleTimeout() {
        return Duration.ofMillis(idleTimeoutMs);
    }

    public static final class Builder {
        private long connectTimeoutMs;
        private long firstByteTimeoutMs;
        private long idleTimeoutMs;
        private long replyTimeoutMs;
        private int wholeReplyMaxTokens;
        private int maxAttempts;
        private long maxRetryMs;
        private long backoffMs;
        private long backoffMaxMs;
        private double jitter;
        private int circuitFailures;
        private long circuitOpenMs;
        private int maxConcurrent;

        private Builder(Resilience r) {
            connectTimeoutMs = r.connectTimeoutMs;
            firstByteTimeoutMs = r.firstByteTimeoutMs;
            idleTimeoutMs = r.idleTimeoutMs;
            replyTimeoutMs = r.replyTimeoutMs;
            wholeReplyMaxTokens = r.wholeReplyMaxTokens;
            maxAttempts = r.maxAttempts;
            maxRetryMs = r.maxRetryMs;
            backoffMs = r.backoffMs;
            backoffMaxMs = r.backoffMaxMs;
            jitter = r.jitter;
            circuitFailures = r.circuitFailures;
            circuitOpenMs = r.circuitOpenMs;
            maxConcurrent = r.maxConcurrent;
        }

        /** @param connectMs TCP/TLS connect; @param firstByteMs request sent → response headers */
        public Builder withConnectTimeouts(long connectMs, long firstByteMs) {
            connectTimeoutMs = connectMs;
            firstByteTimeoutMs = firstByteMs;
            return this;
        }

        public Builder withIdleTimeoutMs(long v) {
            idleTimeoutMs = v;
            return this;
        }

        public Builder withReplyTimeoutMs(long v) {
            replyTimeoutMs = v;
            return this;
        }

        public Builder withWholeReplyMaxTokens(int v) {
            wholeReplyMaxTokens = v;
            return this;
        }

        /** @param attempts per request, first included; @param withinMs the whole retrying must fit in this */
        public Builder withMaxAttempts(int attempts, long withinMs) {
            maxAttempts = attempts;
            maxRetryMs = withinMs;
            return this;
        }

        /** Exponential backoff from {@code firstMs} up to {@code maxMs}, +- {@code jitterFraction} at random. */
        public Builder withBackoff(long firstMs, long maxMs, double jitterFraction) {
            backoffMs = firstMs;
            backoffMaxMs = maxMs;
            jitter = jitterFraction;
            return this;
        }

        /** The circuit opens after {@code failures} in a row and stays open {@code openMs}. */
        public Builder withCircuit(int failures, long openMs) {
            circuitFailures = failures;
            circuitOpenMs = openMs;
            return this;
        }

        public Builder withMaxConcurrent(int v) {
            maxConcurrent = v;
            return this;
        }

        public Resilience build() {
            return new Resilience(connectTimeoutMs, firstByteTimeoutMs, idleTimeoutMs, replyTimeoutMs, wholeReplyMaxTokens,
                    maxAttempts, maxRetryMs, backoffMs, backoffMaxMs, jitter, circuitFailures, circuitOpenMs, maxConcurrent);
        }
    }
}
