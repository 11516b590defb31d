package dev.tandem.bench.http;

import dev.tandem.bench.stats.Percentiles;
import java.util.Map;

/**
 * The table row of one load run.
 *
 * @param offered "200 req/s" (open loop) or "c=8" (closed loop)
 * @param offeredValue the number behind {@code offered}, for charts
 * @param outcomes count per {@link Outcome#kind()}
 * @param latency whole-request latency of successful requests
 * @param ttft time to first token of successful requests
 * @param tpot time per output token after the first, of successful streamed requests
 */
public record LoadResult(
        String label,
        String offered,
        double offeredValue,
        double seconds,
        long sent,
        long ok,
        long errors,
        Map<String, Long> outcomes,
        Percentiles latency,
        Percentiles ttft,
        Percentiles tpot,
        Percentiles firstByte,
        long outputTokens) {

    public double requestsPerSecond() {
        return ok / seconds;
    }

    public double tokensPerSecond() {
        return outputTokens / seconds;
    }
}
