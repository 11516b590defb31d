package dev.tandem.models.scheduler;

import dev.tandem.models.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * One sequence's output text: turns sampled token ids into text deltas that never split a UTF-8
 * character, and holds back text that could still become a stop string (a stop string is never
 * emitted). Provisional: decodes the whole output each time and diffs it.
 */
final class TextStream {
    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final int maxStopLength;
    private final List<Integer> ids = new ArrayList<>();
    private int decodedChars;          // chars of the decoded output already passed to the stop check
    private final StringBuilder held = new StringBuilder(); // text that may start a stop string

    /** Text released by one token, and the stop string it completed (or null). */
    record Out(String text, String stop) {}

    TextStream(Tokenizer tokenizer, List<String> stops) {
        this.tokenizer = tokenizer;
        this.stops = stops;
        this.maxStopLength = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    Out push(int token) {
        ids.add(token);
        String full = tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray());
        // Hold an incomplete multi-byte character (decoded as U+FFFD) until the next token completes it
        int end = full.length();
        while (end > decodedChars && full.charAt(end - 1) == '\uFFFD') {
            end--;
        }
        if (end < decodedChars) {
            return new Out("", null);
        }
        held.append(full, decodedChars, end);
        decodedChars = end;
        return release();
    }

    /** Everything still held (the output ended without a stop string). */
    String flush() {
        String full = tokenizer.decode(ids.stream().mapToInt(Integer::intValue).toArray());
        if (full.length() > decodedChars) {
            held.append(full, decodedChars, full.length());
            decodedChars = full.length();
        }
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    private Out release() {
        if (stops.isEmpty()) {
            String out = held.toString();
            held.setLength(0);
            return new Out(out, null);
        }
        // The earliest stop string in the held text ends the output; the text before it is released
        int best = -1;
        String matched = null;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
                matched = stop;
            }
        }
        if (matched != null) {
            String out = held.substring(0, best);
            held.setLength(0);
            return new Out(out, matched);
        }
        // Keep the longest suffix that is a prefix of some stop string
        int keep = 0;
        for (int k = Math.min(held.length(), maxStopLength - 1); k > 0 && keep == 0; k--) {
            String suffix = held.substring(held.length() - k);
            for (String stop : stops) {
                if (stop.startsWith(suffix)) {
                    keep = k;
                    break;
                }
            }
        }
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Out(out, null);
    }
}
