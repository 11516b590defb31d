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

    /**
     * The most UTF-8 bytes of prompt text one token can stand for, so that a text of {@code n} bytes
     * has at least {@code n / maxBytesPerToken()} tokens (what {@link ContextWindow#neverFits} refuses by
     * before tokenising); 0 when this tokenizer gives no such bound.
     */
    default int maxBytesPerToken() {
        return 0;
    }

    /**
     * The bytes token {@code id} adds to the output text (UTF-8, possibly a fragment of a character),
     * or null for a token that writes no text (BOS, EOS and other special tokens, unknown ids). What
     * constrained decoding matches: the concatenation of a generation's token bytes is its text.
     */
    byte[] tokenBytes(int id);

    int bosId();

    Set<Integer> eosIds();
}
