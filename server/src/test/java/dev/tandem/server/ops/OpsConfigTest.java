package dev.tandem.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.server.config.ConfigException;
import dev.tandem.server.ops.cache.CacheKind;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.ops.redaction.RedactionAction;
import dev.tandem.server.ops.redaction.RedactionConfig;
import dev.tandem.server.ops.redaction.Redactor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpsConfigTest {
    @Test
    void theShippedDefaultsBindEveryOpsSection() {
        TandemConfig c = ConfigLoader.load(null, Map.of("TANDEM_MASTER_KEY", "m-123", "TANDEM_DB", "/tmp/x.db"), Map.of());
        assertThat(c.auth().enabled()).isTrue();
        assertThat(c.auth().masterKey()).isEqualTo("m-123");
        assertThat(c.auth().openPaths()).containsExactly("/health", "/ready");
        assertThat(c.metrics().open()).isFalse();
        assertThat(c.ledger().database()).isEqualTo("/tmp/x.db");
        assertThat(c.ledger().priceTable().cost("anthropic", "claude-sonnet-4-5", 1_000_000, 0)).isEqualTo(3.0);
        assertThat(c.redaction().remoteAction()).isEqualTo(RedactionAction.REDACT);
        assertThat(c.redaction().detectors()).contains("high_entropy", "private_key");
        assertThat(c.cache().perKey()).isTrue();
        assertThat(c.cache().kind()).isEqualTo(CacheKind.MEMORY);
        assertThat(c.logging().format()).isEqualTo("text");
        assertThat(ConfigLoader.describeMasked(c)).doesNotContain("m-123");
    }

    @Test
    void anUnsetMasterKeyClosesTheAdminApiAndAuthGoesOffOnlyWhenSaid() {
        TandemConfig c = ConfigLoader.load(null, Map.of(), Map.of("auth.enabled", "false"));
        assertThat(c.auth().masterKey()).isNull();
        assertThat(c.auth().enabled()).isFalse();
    }

    @Test
    void badValuesAreConfigErrors() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("redaction.remoteAction", "shout")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("remoteAction");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("logging.format", "xml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("logging.format");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("cache.kind", "memcached")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cache.kind");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("cache.kind", "redis")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cache.redis.url must be set");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("cache.kind", "redis", "cache.redis.url", "http://u:pw@h:1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cache.redis.url").hasMessageNotContaining("pw");
    }

    @Test
    void theRedisUrlComesFromTheEnvironmentAndItsPasswordIsMasked() {
        TandemConfig c = ConfigLoader.load(null, Map.of("TANDEM_REDIS_URL", "redis://tandem:hunter2@cache.internal:6379/2"),
                Map.of("cache.kind", "redis"));
        assertThat(c.cache().redis().uri().getHost()).isEqualTo("cache.internal");
        assertThat(ConfigLoader.describeMasked(c)).doesNotContain("hunter2").contains("redis://tandem:****@cache.internal:6379/2");
        assertThat(c.cache().redis().toString()).doesNotContain("hunter2");
    }

    @Test
    void theShippedYamlListsEveryBuiltInDetectorAndTheLogSafetyNetAgreesWithIt() {
        RedactionConfig r = ConfigLoader.defaultsOnly().redaction();
        assertThat(r.detectors()).containsAll(Redactor.BUILT_IN.keySet()).contains("high_entropy");
        assertThat(r.entropyThreshold()).isEqualTo(Redactor.SAFETY_NET_ENTROPY_THRESHOLD);
        assertThat(r.entropyMinLength()).isEqualTo(Redactor.SAFETY_NET_ENTROPY_MIN_LENGTH);
    }
}
