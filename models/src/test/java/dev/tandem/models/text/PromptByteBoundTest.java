package dev.tandem.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A prompt's bytes bound its tokens from below only where no tokenizer step consumes text without a token of its size. */
class PromptByteBoundTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HfTokenizer TINY = TinyCheckpoint.TOKENIZER;
    private static final String[] PIECES = {"a", "ab", "▁abc", "<0x41>"};

    /** A tokenizer.json of SentencePiece's shape (Llama 2),. */
    private static JsonNode sentencePiece(String normalizer, String preTokenizer, String model, String added) {
        String json = "{\"normalizer\":" + normalizer + ",\"pre_tokenizer\":" + preTokenizer + ",\"model\":" + model
                + ",\"added_tokens\":[" + added + "]}";
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static final String LLAMA2_NORMALIZER = "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"▁\"},"
            + "{\"type\":\"Replace\",\"pattern\":{\"String\":\" \"},\"content\":\"▁\"}]}";
    private static final String BYTE_FALLBACK_BPE = "{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":true,\"byte_fallback\":true}";
    private static final String LLAMA3_PRE_TOKENIZER = "{\"type\":\"Sequence\",\"pretokenizers\":[{\"type\":\"Split\",\"pattern\":{\"Regex\":\"x\"},"
            + "\"behavior\":\"Isolated\"},{\"type\":\"ByteLevel\",\"add_prefix_space\":false}]}";
    private static final String PLAIN_ADDED = "{\"id\":0,\"content\":\"<|begin_of_text|>\",\"lstrip\":false,\"rstrip\":false}";

    @ParameterizedTest
    @ValueSource(strings = {"Hello world", "a", " ", "中文字符测试 😀🚀 é", "word ", "<s>"})
    void theTinyTokenizersTokensAreNeverFewerThanItsBoundAllows(String text) {
        int bound = TINY.maxBytesPerToken();
        assertThat(bound).isPositive();
        for (String repeated : new String[] {text, text.repeat(3000)}) { // long runs, as of one word, merge the most
            assertThat((long) TINY.encode(repeated, false).length * bound).isGreaterThanOrEqualTo(repeated.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void theLongestPieceInBytesIsTheBoundOfTheLlamaShapes() {
        // "<|begin_of_text|>" (17 bytes) is longer than any vocabulary piece here
        String[] pieces = Arrays.copyOf(PIECES, PIECES.length + 1);
        pieces[PIECES.length] = "<|begin_of_text|>";
        assertThat(PromptByteBound.of(sentencePiece(LLAMA2_NORMALIZER, "null", BYTE_FALLBACK_BPE, PLAIN_ADDED), pieces)).isEqualTo(17);
        assertThat(PromptByteBound.of(sentencePiece("null", LLAMA3_PRE_TOKENIZER, "{\"type\":\"BPE\",\"unk_token\":null,\"byte_fallback\":false}",
                ""), PIECES)).isEqualTo(6); // "▁abc": 3 + 3 bytes
    }

    @Test
    void noBoundWhereAStepMayConsumeTextWithoutATokenOfItsSize() {
        // normalisers that may shrink the text
        for (String normalizer : new String[] {"{\"type\":\"NFKC\"}", "{\"type\":\"Lowercase\"}", "{\"type\":\"Strip\",\"left\":true,\"right\":true}",
                "{\"type\":\"Replace\",\"pattern\":{\"String\":\"▁▁\"},\"content\":\" \"}", "{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" +\"},\"content\":\"▁\"}",
                "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"Prepend\",\"prepend\":\"▁\"},{\"type\":\"NFC\"}]}"}) {
            assertThat(PromptByteBound.of(sentencePiece(normalizer, "null", BYTE_FALLBACK_BPE, ""), PIECES)).as(normalizer).isZero();
        }
        // pre-tokenisers that drop text
        for (String pre : new String[] {"{\"type\":\"WhitespaceSplit\"}", "{\"type\":\"Split\",\"pattern\":{\"String\":\" \"},\"behavior\":\"Removed\"}"}) {
            assertThat(PromptByteBound.of(sentencePiece("null", pre, BYTE_FALLBACK_BPE, ""), PIECES)).as(pre).isZero();
        }
        // an added token that swallows the whitespace beside it
        assertThat(PromptByteBound.of(sentencePiece("null", "null", BYTE_FALLBACK_BPE,
                "{\"id\":0,\"content\":\"<mask>\",\"lstrip\":true,\"rstrip\":false}"), PIECES)).isZero();
        // unknown characters fused into one <unk>, or skipped for want of one; models other than BPE and Unigram
        for (String model : new String[] {"{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":true,\"byte_fallback\":false}",
                "{\"type\":\"BPE\",\"unk_token\":null,\"byte_fallback\":false}", "{\"type\":\"Unigram\",\"unk_id\":0,\"byte_fallback\":false}",
                "{\"type\":\"WordPiece\",\"unk_token\":\"[UNK]\"}"}) {
            assertThat(PromptByteBound.of(sentencePiece("null", "null", model, ""), PIECES)).as(model).isZero();
        }
        // while a BPE <unk> per unknown character still bounds it
        assertThat(PromptByteBound.of(sentencePiece("null", "null", "{\"type\":\"BPE\",\"unk_token\":\"<unk>\",\"fuse_unk\":false}", ""), PIECES))
                .isEqualTo(6);
    }
}
