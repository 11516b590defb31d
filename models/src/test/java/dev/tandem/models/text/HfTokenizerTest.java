package dev.tandem.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class HfTokenizerTest {
    private final HfTokenizer tokenizer = TinyCheckpoint.TOKENIZER;

    @ParameterizedTest
    @ValueSource(strings = {
        "Hello world",
        "The quick brown fox jumps over the lazy dog.",
        "public static void main(String[] args) {\n\tSystem.out.println(\"hi\");\n}\n",
        "  two leading spaces and trailing  ",
        "café crème brûlée",
        "中文字符测试",
        "emoji 😀🚀 and mixed é中😀",
        "tabs\tand\r\nwindows newlines"
    })
    void encodeThenDecodeGivesTheTextBack(String text) {
        int[] ids = tokenizer.encode(text, false);
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    @Test
    void multiByteCharactersFallBackToByteTokens() {
        int[] ids = tokenizer.encode("é", false);
        // "▁" then the two UTF-8 bytes of é
        assertThat(Arrays.stream(ids).mapToObj(tokenizer::tokenText)).containsExactly(" ", "<0xC3>", "<0xA9>");
    }

    @Test
    void bosIsAddedOnlyWhenAskedFor() {
        assertThat(tokenizer.encode("hi", true)[0]).isEqualTo(1);
        assertThat(tokenizer.encode("hi", false)[0]).isNotEqualTo(1);
        assertThat(tokenizer.encode("hi", true)).hasSize(tokenizer.encode("hi", false).length + 1);
    }

    @Test
    void specialTokensWrittenAsTextBecomeTheirIds() {
        int[] ids = tokenizer.encode("<s>[INST] hi [/INST]", false);
        assertThat(ids[0]).isEqualTo(1);
        assertThat(Arrays.stream(ids).filter(id -> id == 1).count()).isEqualTo(1);
        assertThat(tokenizer.decode(ids)).isEqualTo("[INST] hi [/INST]");
    }

    @Test
    void longTextsAreNotTruncated() {
        String text = "word ".repeat(2000).strip();
        int[] ids = tokenizer.encode(text, false);
        assertThat(ids.length).isGreaterThan(1000);
        assertThat(tokenizer.decode(ids)).isEqualTo(text);
    }

    @Test
    void tokenTextShowsPiecesReadably() {
        assertThat(tokenizer.tokenText(3 + '\n')).isEqualTo("\n");
        assertThat(tokenizer.tokenText(3 + 0xE4)).isEqualTo("<0xE4>");
        assertThat(tokenizer.tokenText(1)).isEqualTo("<s>");
        int the = tokenizer.pieceId("▁the");
        assertThat(the).isPositive();
        assertThat(tokenizer.tokenText(the)).isEqualTo(" the");
        assertThat(tokenizer.tokenText(99999)).isEmpty();
    }

    @Test
    void specialIdsComeFromTheCheckpoint() {
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosIds()).contains(2, tokenizer.pieceId("▁<EOT>"));
        assertThat(tokenizer.vocabSize()).isEqualTo(512);
    }

    @Test
    void decodeSkipsSpecialAndUnknownIds() {
        int[] hello = tokenizer.encode("Hello", false);
        int[] ids = new int[hello.length + 3];
        ids[0] = 1;
        System.arraycopy(hello, 0, ids, 1, hello.length);
        ids[hello.length + 1] = 2;
        ids[hello.length + 2] = 100000;
        assertThat(tokenizer.decode(ids)).isEqualTo("Hello");
    }
}
