package dev.tandem.models;

import java.util.Set;

/** The checkpoint's tokenizer, for counting, /tokenize and /detokenize. */
public interface Tokenizer {

    /** Token ids of {@code text}; {@code addSpecialTokens} adds BOS as the checkpoint says. */
    int[] encode(String text, boolean addSpecialTokens);

    /** Text of {@code ids}, special tokens skipped. */
    String decode(int[] ids);

    /** The piece of one token as text (byte tokens shown as such), for logprobs. */
    String tokenText(int id);

    int vocabSize();

    int bosId();

    Set<Integer> eosIds();
}
