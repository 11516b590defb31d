package dev.tandem.server.remote;

import java.time.Duration;

/**
 * Failsafe settings of one upstream. Every field has a default; times in milliseconds.
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
        Long connectTimeoutMs,
        Long firstByteTimeoutMs,
        Long idleTimeoutMs,
        Long replyTimeoutMs,
        Integer wholeReplyMaxTokens,
        Integer maxAttempts,
        Long maxRetryMs,
        Long backoffMs,
        Long backoffMaxMs,
        Double jitter,
        Integer circuitFailures,
        Long circuitOpenMs,
        Integer maxConcurrent) {

    public Resilience {
        connectTimeoutMs = positive(connectTimeoutMs, 5_000L, "connectTimeoutMs");
        firstByteTimeoutMs = positive(firstByteTimeoutMs, 60_000L, "firstByteTimeoutMs");
        idleTimeoutMs = positive(idleTimeoutMs, 45_000L, "idleTimeoutMs");
        replyTimeoutMs = positive(replyTimeoutMs, 600_000L, "replyTimeoutMs");
        wholeReplyMaxTokens = positive(wholeReplyMaxTokens, 4096, "wholeReplyMaxTokens");
        maxAttempts = positive(maxAttempts, 3, "maxAttempts");
        maxRetryMs = positive(maxRetryMs, 30_000L, "maxRetryMs");
        backoffMs = positive(backoffMs, 500L, "backoffMs");
        backoffMaxMs = positive(backoffMaxMs, 8_000L, "backoffMaxMs");
        jitter = jitter == null ? 0.2 : jitter;
        circuitFailures = positive(circuitFailures, 5, "circuitFailures");
        circuitOpenMs = positive(circuitOpenMs, 30_000L, "circuitOpenMs");
        maxConcurrent = positive(maxConcurrent, 64, "maxConcurrent");
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1)");
        }
    }

    public static Resilience defaults() {
        return new Resilience(null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    private static Long positive(Long v, long dflt, String name) {
        if (v == null) {
            return dflt;
        }
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1");
        }
        return v;
    }

    private static Integer positive(Integer v, int dflt, String name) {
        return v == null ? dflt : (int) (long) positive(v.longValue(), dflt, name);
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
}
