package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.core.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routing and remotes sections bind from YAML as the config loader reads it, with the shipped defaults for what is left out. */
class RoutingConfigTest {
    @TempDir
    Path dir;

    TandemConfig load(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "tandem", ".yaml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, Map.of(), Map.of());
    }

    @Test
    void sectionsBindWithDefaults() throws Exception {
        TandemConfig s = load("""
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
                """);
        assertThat(s.routing().policy()).isEqualTo(Policy.LOCAL_ONLY);
        assertThat(s.routing().maxLocalWaitMs()).isEqualTo(500);
        assertThat(s.routing().aliases()).contains("auto");
        assertThat(s.routing().fallbacks()).containsExactly("anthropic", "openai");
        assertThat(s.remotes().get("anthropic").baseUrl()).isEqualTo("https://api.anthropic.com");
        assertThat(s.remotes().get("anthropic").active()).isTrue();
        assertThat(s.remotes().get("anthropic").resilience().maxAttempts()).isEqualTo(5);
        assertThat(s.remotes().get("anthropic").resilience().connectTimeoutMs()).isEqualTo(5_000);
        assertThat(s.remotes().get("openai").active()).isTrue();
        assertThat(s.remotes().get("openai").serves("qwen2.5-coder-32b")).isTrue();
        assertThat(s.remotes().get("openai").serves("gpt-4o")).isFalse();
        assertThat(s.remotes().get("openai").maxTokensField()).isEqualTo("max_completion_tokens");
    }

    @Test
    void emptySectionsAreTheDefaults() throws Exception {
        TandemConfig s = load("routing: {}\nremotes: {}\n");
        assertThat(s.routing()).isEqualTo(ConfigLoader.defaultsOnly().routing());
        assertThat(s.routing().policy()).isEqualTo(Policy.PREFER_LOCAL);
        assertThat(s.remotes().get("anthropic").active()).as("no key, not enabled").isFalse();
        assertThat(s.remotes().get("openai").serves("gpt-4o-mini")).isTrue();
        assertThat(s.remotes().upstreams().keySet()).containsExactly("anthropic", "openai");
    }

    @Test
    void anUpstreamOfAKnownFormatIsOneEntry() throws Exception {
        TandemConfig s = load("""
                remotes:
                  gpu-box:
                    format: openai
                    enabled: true
                    baseUrl: http://gpu-box:8000
                    models: [qwen*]
                    defaultModel: qwen2.5-coder
                    maxTokensField: max_tokens
                    resilience: { connectTimeoutMs: 1000, firstByteTimeoutMs: 1000, idleTimeoutMs: 1000, replyTimeoutMs: 1000,
                                  wholeReplyMaxTokens: 64, maxAttempts: 1, maxRetryMs: 1000, backoffMs: 10, backoffMaxMs: 10,
                                  jitter: 0, circuitFailures: 3, circuitOpenMs: 1000, maxConcurrent: 4 }
                """);
        assertThat(s.remotes().upstreams().keySet()).containsExactly("anthropic", "openai", "gpu-box");
        assertThat(s.remotes().get("gpu-box").serves("qwen2.5-coder-7b")).isTrue();
    }

    @Test
    void theKeyIsNeverWrittenOutNorPrinted() throws Exception {
        TandemConfig s = load("remotes:\n  anthropic:\n    apiKey: sk-ant-secret-123456\n");
        assertThat(new ObjectMapper(new YAMLFactory()).writeValueAsString(s.remotes())).doesNotContain("sk-ant-secret-123456");
        assertThat(ConfigLoader.describeMasked(s)).doesNotContain("sk-ant-secret-123456");
        assertThat(s.remotes().toString()).doesNotContain("sk-ant-secret-123456");
    }

    @Test
    void badValuesAreRefused() {
        assertThatThrownBy(() -> load("routing:\n  policy: cloud-first\n"))
                .hasMessageContaining("cloud-first");
        assertThatThrownBy(() -> load("remotes:\n  openai:\n    baseUrl: ftp://x\n"))
                .hasMessageContaining("baseUrl");
        assertThatThrownBy(() -> load("routing:\n  polcy: local-only\n"))
                .hasMessageContaining("polcy");
        assertThatThrownBy(() -> load("remotes:\n  openai:\n    format: grpc\n"))
                .hasMessageContaining("format");
    }
}
