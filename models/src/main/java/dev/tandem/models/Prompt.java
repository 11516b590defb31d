package dev.tandem.models;

import java.util.Arrays;
import java.util.Objects;

/** What the model continues: text to tokenize, or token ids given by the caller. */
public sealed interface Prompt {

    /**
     * Text to encode. {@code addSpecialTokens} adds the tokenizer's BOS; chat templates render BOS
     * themselves and pass {@code false}.
     */
    record Text(String text, boolean addSpecialTokens) implements Prompt {
        public Text {
            Objects.requireNonNull(text, "text");
        }

        public Text(String text) {
            this(text, true);
        }
    }

    /** Token ids used as they are (no BOS added). */
    record Tokens(int[] ids) implements Prompt {
        public Tokens {
            Objects.requireNonNull(ids, "ids");
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Tokens t && Arrays.equals(ids, t.ids);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ids);
        }

        @Override
        public String toString() {
            return "Tokens" + Arrays.toString(ids);
        }
    }

    static Prompt text(String text) {
        return new Text(text, true);
    }

    static Prompt tokens(int... ids) {
        return new Tokens(ids);
    }
}
