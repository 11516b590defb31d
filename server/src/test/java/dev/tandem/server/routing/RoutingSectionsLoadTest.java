package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.core.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routing and remotes sections through the real config loader: defaults, ${ENV} keys, masking. */
class RoutingSectionsLoadTest {

    @Test
    void defaultsPreferLocalWithNoRemoteEnabled() {
        TandemConfig config = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(config.routing().policy()).isEqualTo(Policy.PREFER_LOCAL);
        assertThat(config.remotes().get("anthropic").active()).isFalse();
        assertThat(config.remotes().get("openai").active()).isFalse();
        assertThat(config.remotes().get("anthropic").resilience().maxAttempts()).isEqualTo(3);
    }

    @Test
    void keysComeFromTheEnvironmentAndNeverShowInTheLoggedConfiguration(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tandem.yaml");
        Files.writeString(file, """
                routing:
                  policy: local-only
                remotes:
                  openai:
                    baseUrl: http://gpu-box:8000
                    resilience: { maxAttempts: 1 }
                """);
        TandemConfig config = ConfigLoader.load(file, Map.of("ANTHROPIC_API_KEY", "sk-ant-from-env-123456"), Map.of());
        assertThat(config.routing().policy()).isEqualTo(Policy.LOCAL_ONLY);
        assertThat(config.remotes().get("anthropic").apiKey()).isEqualTo("sk-ant-from-env-123456");
        assertThat(config.remotes().get("anthropic").active()).isTrue();
        assertThat(config.remotes().get("openai").baseUrl()).isEqualTo("http://gpu-box:8000");
        assertThat(config.remotes().get("openai").resilience().maxAttempts()).isEqualTo(1);
        assertThat(config.remotes().get("openai").resilience().idleTimeoutMs()).isEqualTo(45_000);
        assertThat(ConfigLoader.describeMasked(config)).doesNotContain("sk-ant-from-env-123456").contains("local-only");
    }
}
