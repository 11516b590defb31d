package dev.tandem.models.text;

import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.Prompt;
import dev.tandem.models.Tokenizer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * CodeLlama fill-in-the-middle, {@code <s>▁<PRE> {prefix} ▁<SUF>{suffix} ▁<MID>}, built as token ids
 * exactly as HF's (slow) CodeLlamaTokenizer and Meta's reference do: the prefix is encoded with
 * SentencePiece's leading space, the suffix without it. Token ids, not text, because the suffix's
 * missing leading space cannot be expressed as text to a tokenizer that always prepends one.
 */
final class CodeLlamaInfill {
    private final Tokenizer tokenizer;
    private final int pre;
    private final int suf;
    private final int mid;
    /** What a tokenizer with a SentencePiece dummy prefix gives for "\n": ▁ then the newline byte. */
    private final int[] newlineWithDummyPrefix;

    private CodeLlamaInfill(Tokenizer tokenizer, int pre, int suf, int mid) {
        this.tokenizer = tokenizer;
        this.pre = pre;
        this.suf = suf;
        this.mid = mid;
        this.newlineWithDummyPrefix = tokenizer.encode("\n", false);
    }

    /** Infill for {@code tokenizer}, or a format that refuses infill when the tokenizer has no infill tokens. */
    static CodeLlamaInfill of(Tokenizer tokenizer) {
        int pre = single(tokenizer, "▁<PRE>");
        int suf = single(tokenizer, "▁<SUF>");
        int mid = single(tokenizer, "▁<MID>");
        return new CodeLlamaInfill(tokenizer, pre, suf, mid);
    }

    boolean supported() {
        return pre >= 0 && suf >= 0 && mid >= 0;
    }

    Prompt infill(String prefix, String suffix) {
        if (!supported()) {
            throw new InvalidGenerationException("prompt", "this model has no infill tokens (▁<PRE>, ▁<SUF>, ▁<MID>):"
                    + " fill-in-the-middle needs a CodeLlama checkpoint");
        }
        IntStream.Builder ids = IntStream.builder();
        if (tokenizer.bosId() >= 0) {
            ids.add(tokenizer.bosId());
        }
        ids.add(pre);
        Arrays.stream(tokenizer.encode(prefix, false)).forEach(ids::add);
        ids.add(suf);
        Arrays.stream(encodeWithoutLeadingSpace(suffix)).forEach(ids::add);
        ids.add(mid);
        return new Prompt.Tokens(ids.build().toArray());
    }

    /**
     * Encodes without SentencePiece's dummy "▁" prefix, HF's trick: encode a known start ("\n", whose
     * byte never merges) with the text and drop the known start's tokens.
     */
    private int[] encodeWithoutLeadingSpace(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        int[] withStart = tokenizer.encode("\n" + text, false);
        int n = newlineWithDummyPrefix.length;
        if (withStart.length >= n && Arrays.equals(withStart, 0, n, newlineWithDummyPrefix, 0, n)) {
            return Arrays.copyOfRange(withStart, n, withStart.length);
        }
        return tokenizer.encode(text, false); // a tokenizer without a dummy prefix needs no trick
    }

    /**
     * The id of an infill piece: looked up in the vocabulary when the tokenizer can (CodeLlama files list
     * them there, not always as added tokens), else the id its literal text encodes to as one token; -1
     * when the tokenizer has no such piece.
     */
    private static int single(Tokenizer tokenizer, String piece) {
        if (tokenizer instanceof HfTokenizer hf) {
            return hf.pieceId(piece);
        }
        int[] ids = tokenizer.encode(piece, false);
        return ids.length == 1 ? ids[0] : -1;
    }
}
