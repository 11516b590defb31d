package dev.tandem.server.ops.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.ops.ObservingBackend;
import dev.tandem.server.ops.Requests;
import dev.tandem.server.ops.ScriptedBackend;
import dev.tandem.server.ops.TandemHeaders;
import dev.tandem.server.ops.keys.CreatedKey;
import dev.tandem.server.ops.keys.KeySpec;
import dev.tandem.server.ops.keys.SqliteKeyStore;
import dev.tandem.server.ops.ledger.LedgerWriter;
import dev.tandem.server.ops.ledger.PriceTable;
import dev.tandem.server.ops.ledger.SqliteUsageLedger;
import dev.tandem.server.ops.ledger.UsageRecord;
import dev.tandem.server.ops.limits.RateLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GateBackendTest {
    @TempDir
    Path dir;
    SqliteKeyStore keys;
    SqliteUsageLedger ledger;
    ScriptedBackend upstream;
    List<String> rejections = new CopyOnWriteArrayList<>();
    PriceTable prices = new PriceTable(Map.of("claude-x", new PriceTable.Price(1_000_000.0, 0.0)));

    @BeforeEach
    void setUp() {
        keys = new SqliteKeyStore(dir.resolve("t.db"));
        ledger = new SqliteUsageLedger(dir.resolve("t.db"));
        upstream = ScriptedBackend.answering("anthropic", "claude-x", "hi", 1);
    }

    @AfterEach
    void tearDown() {
        keys.close();
        ledger.close();
    }

    GateBackend gate(AuthConfig config) {
        LedgerWriter writer = new LedgerWriter(ledger, prices);
        ObservingBackend observed = new ObservingBackend(upstream, List.of(writer));
        return new GateBackend(observed, new Authenticator(keys, config), new RateLimits(), ledger, true,
                List.of(writer), rejections::add);
    }

    static InferenceRequest withKey(String header, String value) {
        return Requests.chat("claude-x", "hi", Map.of(header, value));
    }

    @Test
    void missingWrongAndRevokedKeysAreRefusedWith401() {
        GateBackend gate = gate(AuthConfig.DEFAULTS);
        CreatedKey k = keys.create(KeySpec.named("a"));

        assertThatThrownBy(() -> gate.start(Requests.chat("claude-x", "hi"), e -> {}))
                .isInstanceOfSatisfying(GateException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.AUTHENTICATION));
        assertThatThrownBy(() -> gate.start(withKey("authorization", "Bearer tdm-nope"), e -> {}))
                .isInstanceOf(GateException.class).hasMessage("Invalid API key.");
        // both header forms work
        gate.start(withKey("authorization", "Bearer " + k.secret()), e -> {});
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        keys.revoke(k.key().id());
        assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                .hasMessageContaining("revoked");

        assertThat(upstream.received).hasSize(2);
        assertThat(rejections).containsExactly("auth", "auth", "auth");
    }

    @Test
    void credentialsAndSpoofedPolicyNeverGoPastTheGate() {
        GateBackend gate = gate(AuthConfig.DEFAULTS);
        CreatedKey k = keys.create(new KeySpec("a", "local-only", List.of(), null, null, null, null));
        gate.start(Requests.chat("claude-x", "hi", Map.of("authorization", "Bearer " + k.secret(),
                TandemHeaders.KEY_POLICY, "remote-only", TandemHeaders.KEY_ID, "key_someone_else")), e -> {});

        Map<String, String> seen = upstream.received.get(0).headers();
        assertThat(seen).doesNotContainKey("authorization");
        assertThat(seen).containsEntry(TandemHeaders.KEY_POLICY, "local-only");
        assertThat(seen).containsEntry(TandemHeaders.KEY_ID, k.key().id());
    }

    @Test
    void behindTheEdgeTheKeyIdDerivedByTheAuthFilterIsReReadSoARevocationCounts() {
        GateBackend gate = gate(AuthConfig.DEFAULTS);
        CreatedKey k = keys.create(new KeySpec("a", "local-only", List.of(), null, null, null, null));
        gate.start(Requests.chat("claude-x", "hi", Map.of(TandemHeaders.KEY_ID, k.key().id())), e -> {});
        assertThat(upstream.received.get(0).headers()).containsEntry(TandemHeaders.KEY_POLICY, "local-only");

        keys.revoke(k.key().id());
        assertThatThrownBy(() -> gate.start(Requests.chat("claude-x", "hi", Map.of(TandemHeaders.KEY_ID, k.key().id())), e -> {}))
                .hasMessageContaining("revoked");
        assertThatThrownBy(() -> gate.start(Requests.chat("claude-x", "hi", Map.of(TandemHeaders.KEY_ID, "key_unknown")), e -> {}))
                .isInstanceOf(GateException.class);
    }

    @Test
    void keyWithoutPolicyCannotSmuggleOne() {
        GateBackend gate = gate(AuthConfig.DEFAULTS);
        CreatedKey k = keys.create(KeySpec.named("a"));
        gate.start(Requests.chat("claude-x", "hi", Map.of("x-api-key", k.secret(), TandemHeaders.KEY_POLICY, "remote-only")), e -> {});
        assertThat(upstream.received.get(0).headers()).doesNotContainKey(TandemHeaders.KEY_POLICY);
    }

    @Test
    void authOffLetsAnonymousCallersThrough() {
        GateBackend gate = gate(new AuthConfig(false, null, null));
        gate.start(Requests.chat("claude-x", "hi"), e -> {});
        assertThat(upstream.received.get(0).headers()).containsEntry(TandemHeaders.KEY_ID, TandemHeaders.ANONYMOUS);
    }

    @Test
    void modelsOutsideTheKeysListAreForbidden() {
        GateBackend gate = gate(AuthConfig.DEFAULTS);
        CreatedKey k = keys.create(new KeySpec("a", null, List.of("codellama"), null, null, null, null));
        assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                .isInstanceOfSatisfying(GateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION);
                    assertThat(GateErrors.body(Dialect.ANTHROPIC, e)).contains("\"permission_error\"");
                });
        assertThat(upstream.received).isEmpty();
    }

    @Test
    void rateLimitRefusalCarriesRetryAfterAndIsLedgered() {
        GateBackend gate = gate(AuthConfig.DEFAULTS);
        CreatedKey k = keys.create(new KeySpec("a", null, List.of(), 1, null, null, null));
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                .isInstanceOfSatisfying(GateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
                    assertThat(e.retryAfter().toSeconds()).isBetween(1L, 60L);
                    assertThat(e.openAiCode()).isEqualTo("rate_limit_exceeded");
                });
        assertThat(rejections).containsExactly("rpm");
        assertThat(ledger.rows(null, null, 10)).extracting(UsageRecord::status).containsExactly("ok", "rate_limited");
    }

    @Test
    void spendBudgetRunsOutAfterRemoteUse() {
        // Given a key with a $2 budget and a price of $1 per input token
        GateBackend gate = gate(AuthConfig.DEFAULTS);
        CreatedKey k = keys.create(new KeySpec("a", null, List.of(), null, null, null, 2.0));
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        // Then the third request finds $2 spent
        assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                .isInstanceOfSatisfying(GateException.class, e -> {
                    assertThat(e.kind().status()).isEqualTo(429);
                    assertThat(e.openAiType()).isEqualTo("insufficient_quota");
                    assertThat(GateErrors.body(Dialect.OPENAI, e)).contains("\"code\":\"insufficient_quota\"");
                });
        assertThat(upstream.received).hasSize(2);
        assertThat(rejections).containsExactly("budget");
    }

    @Test
    void concurrencySlotIsFreedWhenTheBackendRefusesAtStart() {
        upstream = ScriptedBackend.refusing("local", new ApiException(ErrorKind.OVERLOADED, "full"));
        GateBackend gate = gate(AuthConfig.DEFAULTS);
        CreatedKey k = keys.create(new KeySpec("a", null, List.of(), null, null, 1, null));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED));
        }
    }

    @Test
    void errorBodiesFollowEachDialect() {
        GateException e = GateException.invalidKey();
        assertThat(GateErrors.body(Dialect.OPENAI, e)).isEqualTo(
                "{\"error\":{\"message\":\"Invalid API key.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
        assertThat(GateErrors.body(Dialect.ANTHROPIC, e)).isEqualTo(
                "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"Invalid API key.\"}}");
        assertThat(GateErrors.dialectOf("/v1/messages/count_tokens")).isEqualTo(Dialect.ANTHROPIC);
        assertThat(GateErrors.dialectOf("/v1/chat/completions")).isEqualTo(Dialect.OPENAI);
    }
}
