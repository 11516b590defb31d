package dev.tandem.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each token's output bytes: what constrained decoding matches against. */
class TokenBytesTest {
    private final HfTokenizer tokenizer = TinyCheckpoint.TOKENIZER;

    @Test
    void sentencePiecePiecesBytePiecesAndSpecialTokens() {
        assertThat(tokenizer.tokenBytes(tokenizer.pieceId("<0x0A>"))).containsExactly(0x0A);
        assertThat(tokenizer.tokenBytes(tokenizer.pieceId("<0xE2>"))).containsExactly((byte) 0xE2);
        assertThat(tokenizer.tokenBytes(tokenizer.pieceId("▁"))).containsExactly(' ');
        int theSpace = tokenizer.pieceId("▁the");
        assertThat(new String(tokenizer.tokenBytes(theSpace), StandardCharsets.UTF_8)).isEqualTo(" the");
        assertThat(tokenizer.tokenBytes(tokenizer.bosId())).isNull();
        assertThat(tokenizer.tokenBytes(2)).isNull();                  // </s>
        assertThat(tokenizer.tokenBytes(tokenizer.pieceId("▁<PRE>"))).isNull();
        assertThat(tokenizer.tokenBytes(-1)).isNull();
        assertThat(tokenizer.tokenBytes(tokenizer.vocabSize())).isNull();
    }

    @Test
    void theBytesOfATextsTokensAreTheText() {
        String text = "Hello, world! é 中 {\"a\": [1, 2]}";
        int[] ids = tokenizer.encode(text, false);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(tokenizer.tokenBytes(id));
        }
        // the normalizer adds one leading space, which decoding strips
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(" " + text);
    }

    @Test
    void byteLevelPiecesMapBackToTheirBytes() {
        assertThat(ByteLevelAlphabet.decode("Ġhello")).isEqualTo(" hello".getBytes(StandardCharsets.UTF_8));
        assertThat(ByteLevelAlphabet.decode("Ċ")).containsExactly('\n');
        assertThat(ByteLevelAlphabet.decode("Ã©")).isEqualTo("é".getBytes(StandardCharsets.UTF_8));
    }
}
