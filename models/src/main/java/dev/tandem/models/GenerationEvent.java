package dev.tandem.models;

import java.util.List;
import java.util.Objects;

/**
 * What a generation reports, in order: any number of {@link Token}s, then exactly one {@link
 * Finished}.
 */
public sealed interface GenerationEvent {

    /**
     * One sampled token. {@code text} is the text released by this token: it may be empty while a
     * multi-byte character or a possible stop string is still incomplete, and then a later token
     * releases it. {@code logprob} is null unless logprobs were requested.
     */
    record Token(int id, String text, TokenLogprob logprob) implements GenerationEvent {
        public Token {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * The end. {@code stopString} is the stop string that matched (reason STOP), {@code error} the
     * message when the reason is ERROR; both null otherwise.
     */
    record Finished(FinishReason reason, Usage usage, String stopString, String error) implements GenerationEvent {
        public Finished {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(usage, "usage");
        }
    }

    /** Logprob of a chosen token, with the most likely alternatives when asked for. */
    record TokenLogprob(int id, String token, float logprob, List<TopLogprob> top) {
        public TokenLogprob {
            top = List.copyOf(top);
        }
    }

    record TopLogprob(int id, String token, float logprob) {}
}
