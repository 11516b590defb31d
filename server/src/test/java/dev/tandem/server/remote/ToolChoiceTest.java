package dev.tandem.server.remote;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ToolChoiceTest {

    @Test
    void eitherDialectsChoiceIsUnderstood() {
        assertThat(ToolChoice.parse(null)).isNull();
        assertThat(ToolChoice.parse("auto")).isEqualTo(new ToolChoice("auto", null));
        assertThat(ToolChoice.parse("required")).isEqualTo(new ToolChoice("required", null));
        assertThat(ToolChoice.parse("{\"type\":\"any\"}")).isEqualTo(new ToolChoice("required", null));
        assertThat(ToolChoice.parse("{\"type\":\"none\"}")).isEqualTo(new ToolChoice("none", null));
        assertThat(ToolChoice.parse("{\"type\":\"tool\",\"name\":\"get_weather\"}")).isEqualTo(new ToolChoice("required", "get_weather"));
        assertThat(ToolChoice.parse("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"))
                .isEqualTo(new ToolChoice("required", "get_weather"));
        assertThat(ToolChoice.parse("{\"type\":\"auto\",\"disable_parallel_tool_use\":true}")).isEqualTo(new ToolChoice("auto", null));
    }
}
