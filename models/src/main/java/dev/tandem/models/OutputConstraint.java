package dev.tandem.models;

/**
 * A rule over what a generation may write (a JSON schema, a tool call), compiled once for one
 * tokenizer's vocabulary and shared by every request that uses it; {@link #start(int)} gives one
 * sequence its own matcher. Thread-safe; matchers are not.
 */
public interface OutputConstraint {

    /** A fresh matcher at the start of an output with no token budget. */
    Matcher start();

    /**
     * A fresh matcher at the start of an output of at most {@code maxTokens} tokens: near the end of
     * the budget it allows only what can still be completed in the tokens left, so a budget that holds
     * the shortest valid output always ends with a complete one.
     */
    default Matcher start(int maxTokens) {
        return start();
    }

    /** Where one sequence stands in the rule. Used by the engine thread only. */
    interface Matcher {

        /**
         * Sets in {@code allowed} (a bit set over the vocabulary, {@code vocab / 64} rounded up words,
         * arriving cleared) the tokens that may come next. End-of-sequence ids are set only when the
         * output so far is complete.
         */
        void fillAllowed(long[] allowed);

        /** Advances past {@code token}, which {@link #fillAllowed} allowed. */
        void accept(int token);

        /** True when nothing but the end may follow: the engine ends the sequence (reason STOP). */
        boolean mustEnd();
    }
}
