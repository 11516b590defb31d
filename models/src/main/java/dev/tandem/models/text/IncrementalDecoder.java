package dev.tandem.models.text;

import dev.tandem.models.Tokenizer;
import java.util.Arrays;

/**
 * Turns a stream of token ids into text deltas for streaming. A delta never ends inside a multi-byte
 * UTF-8 character: while the tokens so far decode to a trailing U+FFFD (an incomplete byte-fallback
 * sequence), nothing is released. The concatenation of all deltas (after {@link #flush()}) equals
 * {@code decode(context + ids) - decode(context)}; with no context, that is {@code decode(ids)}.
 *
 * <p>Each step decodes only a short window: the tokens of the previous delta plus the new ones (the
 * "prefix/read offset" method of HF TGI and vLLM), so a long generation costs O(n), not O(n²). The
 * window always starts with tokens already decoded, so SentencePiece's stripping of one leading space
 * hits the window's old part and its new part alike and cancels out in the difference.
 *
 * <p>Not thread-safe: one decoder per generation.
 */
public final class IncrementalDecoder {
    /** A UTF-8 character has at most 4 bytes: still incomplete after 4 byte tokens, it never completes. */
    private static final int MAX_CHARACTER_BYTES = 4;

    private final Tokenizer tokenizer;
    private int[] ids;
    private int size;
    /** Start of the window: the first token of the last released delta. */
    private int prefixOffset;
    /** End of the released tokens. */
    private int readOffset;
    /** Tokens since readOffset that alone decode to U+FFFD: bytes of a character not yet complete. */
    private int pendingBytes;

    /** Deltas whose concatenation equals {@code decode(ids)}: the first token's leading space is stripped. */
    public IncrementalDecoder(Tokenizer tokenizer) {
        this(tokenizer, new int[0]);
    }

    /**
     * Deltas that continue {@code context} (for instance the last few prompt tokens): the first token's
     * leading space is kept, as the text continues the context. The context itself is never released.
     */
    public IncrementalDecoder(Tokenizer tokenizer, int[] context) {
        this.tokenizer = tokenizer;
        this.ids = Arrays.copyOf(context, Math.max(16, context.length * 2));
        this.size = context.length;
        this.prefixOffset = 0;
        this.readOffset = context.length;
    }

    /** Adds one token; returns the text it releases (possibly empty, never a partial character). */
    public String push(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefixText = decode(prefixOffset, readOffset);
        String text = decode(prefixOffset, size);
        if (text.endsWith("\uFFFD") && decode(size - 1, size).equals("\uFFFD")) {
            pendingBytes++;
        }
        boolean incomplete = text.endsWith("\uFFFD") && pendingBytes < MAX_CHARACTER_BYTES;
        if (text.length() <= prefixText.length() || incomplete) {
            return "";
        }
        prefixOffset = readOffset;
        readOffset = size;
        pendingBytes = 0;
        return text.substring(prefixText.length());
    }

    /** Releases whatever is still held (an unfinished byte sequence decodes to U+FFFD). */
    public String flush() {
        if (readOffset == size) {
            return "";
        }
        String prefixText = decode(prefixOffset, readOffset);
        String text = decode(prefixOffset, size);
        prefixOffset = readOffset;
        readOffset = size;
        pendingBytes = 0;
        return text.length() > prefixText.length() ? text.substring(prefixText.length()) : "";
    }

    private String decode(int from, int to) {
        return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to));
    }
}
