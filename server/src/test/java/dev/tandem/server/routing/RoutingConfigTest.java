package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.RouteReason;
import dev.tandem.server.remote.RemotesConfig;
import org.junit.jupiter.api.Test;

/** The routing and remotes sections bind from YAML as the config loader reads it, with defaults for what is left out. */
class RoutingConfigTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    record Sections(RoutingConfig routing, RemotesConfig remotes) {}

    @Test
    void sectionsBindWithDefaults() throws Exception {
        Sections s = YAML.readValue("""
                routing:
                  policy: local-only
                  maxLocalWaitMs: 500
                remotes:
                  anthropic:
                    apiKey: sk-ant-secret-123456
                    resilience: { maxAttempts: 5, idleTimeoutMs: 10000 }
                  openai:
                    baseUrl: http://gpu-box:8000
                    enabled: true
                    defaultModel: qwen2.5-coder
                    models: [qwen*]
                """, Sections.class);
        assertThat(s.routing().policy()).isEqualTo(Policy.LOCAL_ONLY);
        assertThat(s.routing().maxLocalWaitMs()).isEqualTo(500);
        assertThat(s.routing().aliases()).contains("auto");
        assertThat(s.routing().fallbacks()).containsExactly("anthropic", "openai");
        assertThat(s.remotes().anthropic().baseUrl()).isEqualTo("https://api.anthropic.com");
        assertThat(s.remotes().anthropic().active()).isTrue();
        assertThat(s.remotes().anthropic().resilience().maxAttempts()).isEqualTo(5);
        assertThat(s.remotes().anthropic().resilience().connectTimeoutMs()).isEqualTo(5_000);
        assertThat(s.remotes().openai().active()).isTrue();
        assertThat(s.remotes().openai().serves("qwen2.5-coder-32b")).isTrue();
        assertThat(s.remotes().openai().serves("gpt-4o")).isFalse();
        assertThat(s.remotes().openai().maxTokensField()).isEqualTo("max_completion_tokens");
    }

    @Test
    void emptySectionsAreTheDefaults() throws Exception {
        Sections s = YAML.readValue("routing: {}\nremotes: {}\n", Sections.class);
        assertThat(s.routing()).isEqualTo(RoutingConfig.defaults());
        assertThat(s.routing().policy()).isEqualTo(Policy.PREFER_LOCAL);
        assertThat(s.remotes().anthropic().active()).as("no key, not enabled").isFalse();
        assertThat(s.remotes().openai().serves("gpt-4o-mini")).isTrue();
    }

    @Test
    void theKeyIsNeverWrittenOutNorPrinted() throws Exception {
        Sections s = YAML.readValue("remotes:\n  anthropic:\n    apiKey: sk-ant-secret-123456\n", Sections.class);
        assertThat(YAML.writeValueAsString(s)).doesNotContain("sk-ant-secret-123456");
        assertThat(s.remotes().toString()).doesNotContain("sk-ant-secret-123456");
    }

    @Test
    void badValuesAreRefused() {
        assertThatThrownBy(() -> YAML.readValue("routing:\n  policy: cloud-first\n", Sections.class))
                .hasMessageContaining("cloud-first");
        assertThatThrownBy(() -> YAML.readValue("remotes:\n  openai:\n    baseUrl: ftp://x\n", Sections.class))
                .hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> YAML.readValue("routing:\n  polcy: local-only\n", Sections.class))
                .hasMessageContaining("polcy");
    }
}
