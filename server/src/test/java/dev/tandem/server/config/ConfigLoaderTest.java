package dev.tandem.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void defaultsAloneGiveAStartableConfiguration() {
        TandemConfig config = ConfigLoader.defaultsOnly();

        assertThat(config.server().port()).isEqualTo(8080);
        assertThat(config.server().maxBodyBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(config.engine().usesDemoCheckpoint()).isTrue();
        assertThat(config.engine().maxRunning()).isEqualTo(16);
    }

    @Test
    void userFileIsMergedOverTheDefaultsKeyByKey(@TempDir Path dir) throws IOException {
        // Given a file that sets only two keys of two sections
        Path file = write(dir, """
                server:
                  port: 9090
                engine:
                  maxWaiting: 3
                """);

        TandemConfig config = ConfigLoader.load(file, Map.of(), Map.of());

        // Then those change and every other key keeps its default
        assertThat(config.server().port()).isEqualTo(9090);
        assertThat(config.server().host()).isEqualTo("127.0.0.1");
        assertThat(config.engine().maxWaiting()).isEqualTo(3);
        assertThat(config.engine().maxRunning()).isEqualTo(16);
    }

    @Test
    void environmentReferencesAreSubstitutedWithTheirDefaults(@TempDir Path dir) throws IOException {
        Path file = write(dir, """
                server:
                  port: ${TANDEM_PORT:-7000}
                  dataDir: ${DATA}/tandem
                engine:
                  checkpoint: ${MODEL:-/models/x}
                """);

        TandemConfig config = ConfigLoader.load(file, Map.of("DATA", "/var/lib"), Map.of());

        assertThat(config.server().port()).isEqualTo(7000);
        assertThat(config.server().dataDir()).isEqualTo("/var/lib/tandem");
        assertThat(config.engine().checkpoint()).isEqualTo("/models/x");
        assertThat(ConfigLoader.expand("${A:-b}", Map.of("A", "set"))).isEqualTo("set");
        assertThat(ConfigLoader.expand("${UNSET}", Map.of())).isEmpty();
    }

    @Test
    void commandLineOverridesWinOverTheFile(@TempDir Path dir) throws IOException {
        Path file = write(dir, "server:\n  port: 9090\n");

        TandemConfig config = ConfigLoader.load(file, Map.of(), Map.of("server.port", "1234", "engine.checkpoint", "/m"));

        assertThat(config.server().port()).isEqualTo(1234);
        assertThat(config.engine().checkpoint()).isEqualTo("/m");
    }

    @Test
    void mistakesNameTheKey(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(write(dir, "server:\n  prot: 1\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("prot");
        assertThatThrownBy(() -> ConfigLoader.load(write(dir, "engine:\n  maxRunning: 0\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("engine.maxRunning");
        assertThatThrownBy(() -> ConfigLoader.load(write(dir, "server:\n  port: lots\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.port");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
    }

    record Remote(String baseUrl, String apiKey, String clientSecret, int maxTokens, String emptyToken) {}

    @Test
    void theLoggedConfigurationMasksSecretLookingValues() {
        // Given a section holding secrets next to ordinary values
        Object section = Map.of("remote", new Remote("https://api.example", "sk-live-123", "s3cret", 4096, ""));

        String logged = ConfigLoader.describeMasked(section);

        // Then the secrets are masked, the rest (numbers named like tokens included) shown
        assertThat(logged).doesNotContain("sk-live-123").doesNotContain("s3cret")
                .contains("https://api.example").contains("4096").contains("****");
        assertThat(ConfigLoader.describeMasked(ConfigLoader.defaultsOnly())).contains("kvTokenBudget: 0");
    }

    private static Path write(Path dir, String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "tandem", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
