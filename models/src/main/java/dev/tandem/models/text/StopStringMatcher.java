package dev.tandem.models.text;

import java.util.List;
import java.util.Objects;

/**
 * Finds stop strings in streamed text, across any number of deltas, so that they are never emitted.
 * Text that could still be the beginning of a stop string is held back until it is clear either way.
 * After a stop string matched, the matcher is done: later pushes release nothing.
 *
 * <p>Not thread-safe: one matcher per generation.
 */
public final class StopStringMatcher {
    private final List<String> stops;
    private final int longest;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    /**
     * What may be released now.
     *
     * @param text text safe to emit (when {@code stop} is set: the text before the stop string)
     * @param stop the stop string that matched, or null
     */
    public record Result(String text, String stop) {
        public Result {
            Objects.requireNonNull(text, "text");
        }

        public boolean stopped() {
            return stop != null;
        }
    }

    public StopStringMatcher(List<String> stops) {
        this.stops = List.copyOf(stops);
        if (this.stops.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
        this.longest = this.stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds a delta; returns what can be released, and the stop string if one just completed. */
    public Result push(String delta) {
        if (stopped) {
            return new Result("", null);
        }
        held.append(delta);
        int bestAt = -1;
        String best = null;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (bestAt < 0 || at < bestAt || (at == bestAt && stop.length() > best.length()))) {
                bestAt = at;
                best = stop;
            }
        }
        if (best != null) {
            stopped = true;
            String before = held.substring(0, bestAt);
            held.setLength(0);
            return new Result(before, best);
        }
        int keep = heldBackLength();
        String release = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Result(release, null);
    }

    /** At the end of the generation: releases the text held back as a possible stop-string start. */
    public String flush() {
        String rest = stopped ? "" : held.toString();
        held.setLength(0);
        return rest;
    }

    public boolean stopped() {
        return stopped;
    }

    /** Length of the longest suffix of the held text that is a proper prefix of some stop string. */
    private int heldBackLength() {
        for (int k = Math.min(held.length(), longest - 1); k > 0; k--) {
            String suffix = held.substring(held.length() - k);
            for (String stop : stops) {
                if (stop.startsWith(suffix)) {
                    return k;
                }
            }
        }
        return 0;
    }
}
