package dev.tandem.server.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.core.ToolChoice;
import org.junit.jupiter.api.Test;

/** The typed tool choice in each upstream's words; the default says nothing. */
class ToolChoiceWordsTest {

    @Test
    void claudeGetsItsOwnWordsAndTheSerialFlag() {
        assertThat(AnthropicWire.choice(ToolChoice.AUTO)).isNull();
        assertThat(AnthropicWire.choice(ToolChoice.AUTO.withParallel(false))).isEqualTo(new AnthropicWire.Choice("auto", null, true));
        assertThat(AnthropicWire.choice(ToolChoice.REQUIRED)).isEqualTo(new AnthropicWire.Choice("any", null, null));
        assertThat(AnthropicWire.choice(ToolChoice.NONE.withParallel(false))).isEqualTo(new AnthropicWire.Choice("none", null, null));
        assertThat(AnthropicWire.choice(ToolChoice.named("get_weather").withParallel(false)))
                .isEqualTo(new AnthropicWire.Choice("tool", "get_weather", true));
    }

    @Test
    void openAiGetsItsOwnWords() {
        assertThat(OpenAiWire.choice(ToolChoice.AUTO)).isNull();
        assertThat(OpenAiWire.choice(ToolChoice.REQUIRED)).isEqualTo("required");
        assertThat(OpenAiWire.choice(ToolChoice.NONE)).isEqualTo("none");
        assertThat(OpenAiWire.choice(ToolChoice.named("get_weather")))
                .isEqualTo(new OpenAiWire.NamedChoice("function", new OpenAiWire.FunctionName("get_weather")));
    }
}
