package dev.tandem.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.EngineConfig;
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
        assertThatThrownBy(() -> ConfigLoader.load(write(dir, "store:\n  kind: mysql\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("store.kind must be sqlite or postgres");
        assertThatThrownBy(() -> ConfigLoader.load(write(dir, "store:\n  postgres:\n    url: postgres://x/y\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("store.postgres.url");
    }

    @Test
    void thePostgresStoreIsReadFromTheEnvironmentAndItsPasswordNeverLogged(@TempDir Path dir) throws IOException {
        TandemConfig config = ConfigLoader.load(write(dir, "store:\n  kind: postgres\n"),
                Map.of("TANDEM_PG_URL", "jdbc:postgresql://db:5432/tandem", "TANDEM_PG_PASSWORD", "pg-pass-42"), Map.of());
        assertThat(config.store().kind()).isEqualTo(dev.tandem.server.ops.store.StoreKind.POSTGRES);
        assertThat(config.store().postgres().url()).isEqualTo("jdbc:postgresql://db:5432/tandem");
        assertThat(config.store().postgres().password()).isEqualTo("pg-pass-42");
        assertThat(config.store().postgres().toString()).doesNotContain("pg-pass-42");
        assertThat(ConfigLoader.describeMasked(config)).doesNotContain("pg-pass-42").contains("jdbc:postgresql://db:5432/tandem");
        // and the default is one machine on SQLite
        assertThat(ConfigLoader.defaultsOnly().store().kind()).isEqualTo(dev.tandem.server.ops.store.StoreKind.SQLITE);
    }

    @Test
    void theEngineSettingsReachTheEngineAndBadOnesNameTheirKey(@TempDir Path dir) throws IOException {
        // Given the engine's memory and caching keys in a file
        Path file = write(dir, """
                engine:
                  dtype: bfloat16
                  kvMemoryFraction: 0.8
                  maxModelLen: 4096
                  blockSize: 32
                  prefixCaching: false
                """);
        // Then the engine is configured with them
        EngineConfig engine = ConfigLoader.load(file, Map.of(), Map.of()).engine().toEngineConfig(dir);
        assertThat(engine.computeDtype()).isEqualTo("bfloat16");
        assertThat(engine.kvMemoryFraction()).isEqualTo(0.8);
        assertThat(engine.maxModelLen()).isEqualTo(4096);
        assertThat(engine.blockSize()).isEqualTo(32);
        assertThat(engine.prefixCaching()).isFalse();
        // and the defaults are the engine's: auto dtype, half the free memory, the checkpoint's window, blocks of 16, caching on
        EngineConfig defaults = ConfigLoader.defaultsOnly().engine().toEngineConfig(dir);
        assertThat(defaults).isEqualTo(EngineConfig.builder(dir).withDevice("auto").withThreads(0).build());
        // and a value the engine cannot use is refused at load, naming its key
        assertThatThrownBy(() -> ConfigLoader.load(write(dir, "engine:\n  kvMemoryFraction: 1.5\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("engine.kvMemoryFraction");
        assertThatThrownBy(() -> ConfigLoader.load(write(dir, "engine:\n  blockSize: 0\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("engine.blockSize");
        assertThatThrownBy(() -> ConfigLoader.load(write(dir, "engine:\n  dtype: int4\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("engine.dtype").hasMessageContaining("bfloat16");
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

    record Names(String maxTokensField, String tokenizerPath, String keyring, String apiKey, String api_key, String token,
            String clientSecret, String dbPassword, String awsCredentials) {}

    @Test
    void onlyNamesThatEndInASecretWordAreMaskedNotMaxTokensField() {
        // Given values whose names merely hold "token" or "key", and values whose names say they are secrets
        String logged = ConfigLoader.describeMasked(new Names("max_completion_tokens", "/t.json", "ring", "s1", "s2", "s3", "s4", "s5", "s6"));
        // Then the first are shown, the others masked
        assertThat(logged).contains("maxTokensField: \"max_completion_tokens\"").contains("tokenizerPath: \"/t.json\"")
                .contains("keyring: \"ring\"");
        assertThat(logged).doesNotContain("s1").doesNotContain("s2").doesNotContain("s3").doesNotContain("s4").doesNotContain("s5")
                .doesNotContain("s6");
        // and so in the defaults' dump
        assertThat(ConfigLoader.describeMasked(ConfigLoader.defaultsOnly())).contains("maxTokensField: \"max_completion_tokens\"");
    }

    private static Path write(Path dir, String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "tandem", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
