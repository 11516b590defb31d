package dev.tandem.bench.http;

/**
 * What one request gave the client. Times are nanoseconds from the moment the request was due to be
 * sent (open loop: its scheduled time, so queueing in the client counts too); -1 when not reached.
 *
 * @param status HTTP status, or 0 when no response arrived (connection error)
 * @param firstByteNanos response headers received
 * @param firstTokenNanos first generated text received (the whole body when not streaming)
 * @param outputTokens tokens generated, from the usage the server reports, else the deltas counted
 * @param streamError what broke a stream after a 200 (error event, truncated), or null
 * @param error a transport error, or null
 * @param backend the {@code x-tandem-backend} response header (who served it), or null
 * @param route the {@code x-tandem-route} response header (why), or null
 */
public record Outcome(
        int status,
        long firstByteNanos,
        long firstTokenNanos,
        long totalNanos,
        int outputTokens,
        int tokenEvents,
        String streamError,
        String error,
        String backend,
        String route) {

    public boolean ok() {
        return status == 200 && streamError == null && error == null;
    }

    /** Time per output token after the first, or -1 when there were fewer than two. */
    public long perTokenNanos() {
        if (firstTokenNanos < 0 || outputTokens < 2) {
            return -1;
        }
        return (totalNanos - firstTokenNanos) / (outputTokens - 1);
    }

    /** A short name for tables: "200", "429", "200+stream-error", "io-error". */
    public String kind() {
        if (error != null) {
            return "transport-error";
        }
        if (status == 200 && streamError != null) {
            return "200+stream-error";
        }
        return Integer.toString(status);
    }
}
