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
}
