package dev.tandem.server.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.ContextWindow;
import dev.tandem.models.ContextWindow.Fit;
import org.junit.jupiter.api.Test;

/** The engine's one context-window rule, as the local backend applies it before submitting. */
class ContextWindowTest {
    private final ContextWindow window = new ContextWindow(512, 8192);

    @Test
    void anExplicitMaxTokensFitsOrIsRefusedWithTheNumbers() {
        assertThat(window.fit(100, 412, false)).isEqualTo(new Fit.Fits(412));
        assertThat(window.fit(100, 413, false)).isInstanceOfSatisfying(Fit.TooLong.class, tooLong -> {
            assertThat(tooLong.param()).isEqualTo("max_tokens");
            assertThat(tooLong.window()).isEqualTo(512);
            assertThat(tooLong.message()).contains("100 tokens").contains("context window of 512").contains("at most 412");
        });
    }

    @Test
    void theKvCacheBoundsASequenceToo() {
        ContextWindow small = new ContextWindow(4096, 1000);
        assertThat(small.tokens()).isEqualTo(1000);
        assertThat(small.fit(10, 991, false)).isInstanceOfSatisfying(Fit.TooLong.class, tooLong ->
                assertThat(tooLong.message()).contains("KV-cache").contains("1000"));
    }

    @Test
    void aDefaultIsLoweredToTheRoomLeftUnlessThereIsNone() {
        assertThat(window.fit(500, 4096, true)).isEqualTo(new Fit.Fits(12));
        assertThat(window.fit(100, 16, true)).isEqualTo(new Fit.Fits(16));
        assertThat(window.fit(512, 16, true)).isInstanceOfSatisfying(Fit.TooLong.class, tooLong -> {
            assertThat(tooLong.param()).isEqualTo("prompt");
            assertThat(tooLong.message()).contains("shorten the prompt");
        });
    }

    @Test
    void aPromptThatAloneFillsTheWindowNamesThePromptEvenWithAnExplicitMaxTokens() {
        assertThat(window.fit(512, 16, false)).isInstanceOfSatisfying(Fit.TooLong.class, tooLong -> {
            assertThat(tooLong.param()).isEqualTo("prompt");
            assertThat(tooLong.message()).contains("512 tokens").contains("shorten the prompt");
        });
    }

    @Test
    void aTextThatCanNeverFitIsToldFromItsBytesBeforeItIsTokenised() {
        // Given at most 4 bytes per token: 2045 bytes are at least 512 tokens, the whole window
        assertThat(window.neverFits("x".repeat(2045), 4)).hasValueSatisfying(tooLong -> {
            assertThat(tooLong.param()).isEqualTo("prompt");
            assertThat(tooLong.message()).contains("at least 512 tokens").contains("context window of 512").contains("shorten the prompt");
        });
        // multi-byte characters count by their UTF-8 bytes: 683 "é" are 1366 bytes, at least 342 tokens
        assertThat(window.neverFits("é".repeat(683), 4)).isEmpty();
        assertThat(window.neverFits("é".repeat(1024), 4)).isPresent();
        // what might fit is left to the tokenizer, and so is everything when it gives no bound
        assertThat(window.neverFits("x".repeat(2044), 4)).isEmpty();
        assertThat(window.neverFits("x".repeat(1_000_000), 0)).isEmpty();
    }
}
