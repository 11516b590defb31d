package dev.tandem.models.scheduler;

import dev.tandem.models.Tokenizer;
import dev.tandem.models.text.IncrementalDecoder;
import dev.tandem.models.text.StopStringMatcher;
import java.util.Arrays;
import java.util.List;

/**
 * One sequence's output text: token ids become UTF-8-safe deltas ({@link IncrementalDecoder}, with the
 * prompt's last tokens as context so a leading space is kept), then pass the {@link StopStringMatcher},
 * which holds back text that may start a stop string and never releases the stop string itself.
 */
final class TextStream {
    private static final int CONTEXT_TOKENS = 4;

    private final IncrementalDecoder decoder;
    private final StopStringMatcher matcher;

    /** Text released by one token, and the stop string it completed (or null). */
    record Out(String text, String stop) {}

    TextStream(Tokenizer tokenizer, int[] prompt, List<String> stops) {
        this.decoder = new IncrementalDecoder(tokenizer,
                Arrays.copyOfRange(prompt, Math.max(0, prompt.length - CONTEXT_TOKENS), prompt.length));
        this.matcher = new StopStringMatcher(stops);
    }

    Out push(int token) {
        StopStringMatcher.Result r = matcher.push(decoder.push(token));
        return new Out(r.text(), r.stop());
    }

    /** The output ends: releases everything held (an unfinished character decodes to U+FFFD). */
    Out finish() {
        StopStringMatcher.Result r = matcher.push(decoder.flush());
        return r.stopped() ? new Out(r.text(), r.stop()) : new Out(r.text() + matcher.flush(), null);
    }
}
