package dev.tandem.models.scheduler;

import dev.tandem.models.FinishReason;

/**
 * The one place that decides whether a sequence ends (vLLM's {@code check_stop}, with stop strings and
 * cancellation folded in): between steps only a cancel ends it; after a sampled token, in this order, a
 * stop id or EOS (once min_tokens are out), a stop string completed by the token's text, a constrained
 * output that is complete (nothing but its end may follow), max_tokens, a full context window.
 */
final class StopCheck {
    /** Passed instead of a token between steps. */
    static final int NO_TOKEN = -1;

    /**
     * What a token releases and whether the sequence ends with it.
     *
     * @param text the text to emit with the token (null between steps)
     * @param reason null: the sequence goes on
     * @param stopString the stop string that matched, if any
     */
    record Decision(String text, FinishReason reason, String stopString) {
        static final Decision GO_ON = new Decision(null, null, null);
        static final Decision CANCELLED = new Decision(null, FinishReason.CANCELLED, null);

        boolean stops() {
            return reason != null;
        }
    }

    private final int maxModelLen;

    StopCheck(int maxModelLen) {
        this.maxModelLen = maxModelLen;
    }

    /**
     * Decides for {@code s}, whose last token is {@code token} (already appended), or {@link #NO_TOKEN}
     * between steps. Reads the token's text through the sequence's text stream, so that the decision and
     * the text released come together; a stop token's own text is never released.
     */
    Decision decide(Sequence s, int token) {
        if (token == NO_TOKEN) {
            return s.cancelRequested() ? Decision.CANCELLED : Decision.GO_ON;
        }
        if (s.completionTokens() > s.request.stop().minTokens() && s.stopIds.contains(token)) {
            // What was held back (a possible stop string's start) is released; the stop token's text is not
            TextStream.Out rest = s.text.finish();
            return new Decision(rest.text(), FinishReason.STOP, rest.stop());
        }
        TextStream.Out out = s.text.push(token);
        if (out.stop() != null) {
            return new Decision(out.text(), FinishReason.STOP, out.stop());
        }
        if (s.sampler.mustEnd()) {
            TextStream.Out rest = s.text.finish();
            return new Decision(out.text() + rest.text(), FinishReason.STOP, rest.stop());
        }
        if (s.completionTokens() >= s.request.maxTokens() || s.length() >= maxModelLen) {
            TextStream.Out rest = s.text.finish();
            return new Decision(out.text() + rest.text(), rest.stop() != null ? FinishReason.STOP : FinishReason.LENGTH,
                    rest.stop());
        }
        return new Decision(out.text(), null, null);
    }
}
