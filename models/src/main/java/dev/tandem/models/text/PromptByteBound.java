package dev.tandem.models.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The most UTF-8 bytes of prompt text that one token of a tokenizer.json can stand for, so that a
 * text of {@code n} bytes has at least {@code n / bound} tokens: what lets a prompt that can never fit
 * a context window be refused before it is tokenised (a few megabytes of one word take BPE seconds).
 *
 * <p>Why the longest piece bounds it: the model matches pieces against the normalised, pre-tokenised
 * text, whose bytes are never fewer than the prompt's when the normaliser only prepends or replaces
 * with something no shorter (SentencePiece's "▁" for a space) and the pre-tokeniser only splits or maps
 * each byte to a character of one or more bytes (GPT-2's byte-level alphabet). A piece's bytes (a
 * byte-fallback {@code <0xNN>} is six) are then at least the prompt bytes it stands for.
 *
 * <p>No bound (0) where a step may consume text without a token of its own length: a normaliser that
 * may shrink text (NFKC, lowercase, strip), a pre-tokeniser that drops text (whitespace, a split that
 * removes), added tokens that swallow the whitespace beside them (lstrip, rstrip), or unknown characters
 * fused into one {@code <unk>} or skipped.
 */
final class PromptByteBound {
    private static final Set<String> KEEPING_PRE_TOKENIZERS = Set.of("ByteLevel", "Metaspace", "Digits", "Punctuation", "Split");

    private PromptByteBound() {}

    /** The bound of {@code root}, a tokenizer.json whose pieces (vocabulary and added tokens) are {@code pieces}; 0 for none. */
    static int of(JsonNode root, String[] pieces) {
        JsonNode preTokenizer = root.path("pre_tokenizer");
        if (!lengthens(root.path("normalizer")) || !keepsText(preTokenizer) || !everyCharacterIsKnown(root.path("model"), preTokenizer)) {
            return 0;
        }
        for (JsonNode added : root.path("added_tokens")) {
            if (added.path("lstrip").asBoolean(false) || added.path("rstrip").asBoolean(false)) {
                return 0;
            }
        }
        int most = 0;
        for (String piece : pieces) {
            if (piece != null) {
                most = Math.max(most, piece.getBytes(StandardCharsets.UTF_8).length);
            }
        }
        return most;
    }

    /** None, Prepend, Replace of a plain string by one no shorter, or a Sequence of those. */
    private static boolean lengthens(JsonNode normalizer) {
        if (normalizer.isMissingNode() || normalizer.isNull()) {
            return true;
        }
        return switch (normalizer.path("type").asText("")) {
            case "Prepend" -> true;
            case "Replace" -> normalizer.path("pattern").path("String").isTextual()
                    && bytes(normalizer.path("content").asText("")) >= bytes(normalizer.path("pattern").path("String").asText());
            case "Sequence" -> all(normalizer.path("normalizers"), PromptByteBound::lengthens);
            default -> false;
        };
    }

    /** None, or pre-tokenisers that split or map bytes without dropping any (a Split that does not remove). */
    private static boolean keepsText(JsonNode preTokenizer) {
        if (preTokenizer.isMissingNode() || preTokenizer.isNull()) {
            return true;
        }
        String type = preTokenizer.path("type").asText("");
        if (type.equals("Sequence")) {
            return all(preTokenizer.path("pretokenizers"), PromptByteBound::keepsText);
        }
        return KEEPING_PRE_TOKENIZERS.contains(type) && !preTokenizer.path("behavior").asText("").equals("Removed");
    }

    /**
     * Every character becomes tokens of its own: byte fallback, GPT-2's byte-level alphabet (every byte
     * is a piece), or a BPE {@code <unk>} per unknown character (not fused into one for a whole run).
     */
    private static boolean everyCharacterIsKnown(JsonNode model, JsonNode preTokenizer) {
        String type = model.path("type").asText("");
        if (!type.equals("BPE") && !type.equals("Unigram")) {
            return false;
        }
        if (model.path("byte_fallback").asBoolean(false) || (type.equals("BPE") && byteLevel(preTokenizer))) {
            return true;
        }
        return type.equals("BPE") && model.path("unk_token").isTextual() && !model.path("fuse_unk").asBoolean(false);
    }

    private static boolean byteLevel(JsonNode preTokenizer) {
        return preTokenizer.path("type").asText("").equals("ByteLevel")
                || preTokenizer.path("pretokenizers").findValuesAsText("type").contains("ByteLevel");
    }

    private static boolean all(JsonNode array, Predicate<JsonNode> test) {
        for (JsonNode node : array) {
            if (!test.test(node)) {
                return false;
            }
        }
        return array.isArray();
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
