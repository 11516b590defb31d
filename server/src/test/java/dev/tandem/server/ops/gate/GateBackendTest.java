package dev.tandem.server.ops.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.server.api.ErrorFormat;
import dev.tandem.server.api.Json;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.ErrorCode;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Policy;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.ops.ObservingBackend;
import dev.tandem.server.ops.ScriptedBackend;
import dev.tandem.server.ops.StoreUnavailableException;
import dev.tandem.server.ops.keys.CreatedKey;
import dev.tandem.server.ops.keys.KeySpec;
import dev.tandem.server.ops.keys.SqliteKeyStore;
import dev.tandem.server.ops.ledger.LedgerWriter;
import dev.tandem.server.ops.ledger.PriceTable;
import dev.tandem.server.ops.ledger.SqliteUsageLedger;
import dev.tandem.server.ops.ledger.UsageRecord;
import dev.tandem.server.ops.limits.InMemoryRateLimits;
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

    Authenticator auth;

    GateBackend gate(AuthConfig config) {
        LedgerWriter writer = new LedgerWriter(ledger, prices);
        ObservingBackend observed = new ObservingBackend(upstream, List.of(writer));
        auth = new Authenticator(keys, config, () -> rejections.add("auth"));
        return new GateBackend(observed, auth, new InMemoryRateLimits(ledger::spentUsd), true, List.of(writer), rejections::add);
    }

    /** A request from whoever presents this credential header, as the edge's auth filter finds them. */
    InferenceRequest withKey(String header, String value) {
        return from(auth.authenticate(Map.of(header, value)));
    }

    static InferenceRequest from(Caller caller) {
        return Requests.chat("claude-x", "hi").withCaller(caller).build();
    }

    @Test
    void missingWrongAndRevokedKeysAreRefusedWith401() {
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").build());

        assertThatThrownBy(() -> gate.start(Requests.chat("claude-x", "hi").build(), e -> {}))
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
    void aSpoofedPolicyNeverGoesPastTheGate() {
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").withPolicy(Policy.LOCAL_ONLY).build());
        // a caller claiming the key's id with a wider policy
        gate.start(from(new Caller(k.key().id(), Policy.REMOTE_ONLY, Caller.Limits.NONE)), e -> {});

        Caller seen = upstream.received.get(0).caller();
        assertThat(seen.policy()).isEqualTo(Policy.LOCAL_ONLY);
        assertThat(seen.keyId()).isEqualTo(k.key().id());
    }

    @Test
    void behindTheEdgeTheCallerFoundByTheAuthFilterIsReReadSoARevocationCounts() {
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").withPolicy(Policy.LOCAL_ONLY).build());
        Caller found = auth.authenticate(Map.of("x-api-key", k.secret()));
        gate.start(from(found), e -> {});
        assertThat(upstream.received.get(0).caller().policy()).isEqualTo(Policy.LOCAL_ONLY);

        keys.revoke(k.key().id());
        assertThatThrownBy(() -> gate.start(from(found), e -> {}))
                .hasMessageContaining("revoked");
        assertThatThrownBy(() -> gate.start(from(new Caller("key_unknown", null, Caller.Limits.NONE)), e -> {}))
                .isInstanceOf(GateException.class);
    }

    @Test
    void keyWithoutPolicyCannotSmuggleOne() {
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").build());
        gate.start(from(new Caller(k.key().id(), Policy.REMOTE_ONLY, Caller.Limits.NONE)), e -> {});
        assertThat(upstream.received.get(0).caller().policy()).isNull();
    }

    @Test
    void authOffLetsAnonymousCallersThrough() {
        GateBackend gate = gate(new AuthConfig(false, null, Defaults.CONFIG.auth().openPaths()));
        gate.start(Requests.chat("claude-x", "hi").build(), e -> {});
        assertThat(upstream.received.get(0).caller()).isEqualTo(Caller.ANONYMOUS);
    }

    @Test
    void modelsOutsideTheKeysListAreForbidden() {
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").withAllowedModels(List.of("codellama")).build());
        assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                .isInstanceOfSatisfying(GateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION);
                    assertThat(body(ErrorFormat.ANTHROPIC, e)).contains("\"permission_error\"");
                });
        assertThat(upstream.received).isEmpty();
    }

    @Test
    void rateLimitRefusalCarriesRetryAfterAndIsLedgered() {
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").withRpm(1).build());
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                .isInstanceOfSatisfying(GateException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
                    assertThat(e.retryAfter().toSeconds()).isBetween(1L, 60L);
                    assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXCEEDED);
                    assertThat(body(ErrorFormat.OPENAI, e)).contains("\"code\":\"rate_limit_exceeded\"");
                });
        assertThat(rejections).containsExactly("rpm");
        assertThat(ledger.rows(null, null, 10)).extracting(UsageRecord::status).containsExactly("ok", "rate_limited");
    }

    @Test
    void aSpentBudgetNarrowsTheKeyToTheLocalModel() {
        // Given a key with a $2 budget and a price of $1 per input token, spent by two remote answers
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").withBudgetUsd(2.0).build());
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        // When a third request comes
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        // Then it goes on, but may only be served locally (local answers cost nothing)
        assertThat(upstream.received).hasSize(3);
        assertThat(upstream.received.get(1).caller().policy()).isNull();
        assertThat(upstream.received.get(2).caller().policy()).isEqualTo(Policy.LOCAL_ONLY);
        assertThat(rejections).isEmpty();
    }

    @Test
    void aSpentBudgetRefusesWhatOnlyARemoteCouldServe() {
        // Given a dispatcher that, like the router, refuses a remote model under local-only
        upstream = ScriptedBackend.scripted("anthropic", r -> {
            if (r.caller().policy() == Policy.LOCAL_ONLY) {
                throw new ApiException(ErrorKind.PERMISSION, "claude-x is remote; the policy is local-only");
            }
            return ScriptedBackend.answer("anthropic", "claude-x", "hi", 1);
        });
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").withBudgetUsd(2.0).build());
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        // Then the third request, which only Claude could serve, finds the budget spent
        assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                .isInstanceOfSatisfying(GateException.class, e -> {
                    assertThat(e.kind().status()).isEqualTo(429);
                    assertThat(body(ErrorFormat.OPENAI, e)).contains("\"type\":\"insufficient_quota\"")
                            .contains("\"code\":\"insufficient_quota\"");
                });
        assertThat(rejections).containsExactly("budget");
    }

    @Test
    void aSpentBudgetOfARemoteOnlyKeyRefusesAtOnce() {
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").withPolicy(Policy.REMOTE_ONLY).withBudgetUsd(1.0).build());
        gate.start(withKey("x-api-key", k.secret()), e -> {});
        assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                .isInstanceOfSatisfying(GateException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_QUOTA));
        assertThat(upstream.received).hasSize(1);
    }

    @Test
    void concurrencySlotIsFreedWhenTheBackendRefusesAtStart() {
        upstream = ScriptedBackend.refusing("local", new ApiException(ErrorKind.OVERLOADED, "full"));
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey k = keys.create(KeySpec.builder("a").withMaxConcurrent(1).build());
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED));
        }
    }

    @Test
    void tokenCountingPassesTheSameGateButSpendsNoBudgetAndWritesNoLedgerRow() {
        GateBackend gate = gate(Defaults.CONFIG.auth());
        CreatedKey elsewhere = keys.create(KeySpec.builder("a").withAllowedModels(List.of("codellama")).build());
        CreatedKey once = keys.create(KeySpec.builder("b").withRpm(1).build());

        assertThatThrownBy(() -> gate.tokenize(Requests.chat("claude-x", "hi").build()))
                .isInstanceOfSatisfying(GateException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.AUTHENTICATION));
        assertThatThrownBy(() -> gate.tokenize(withKey("x-api-key", elsewhere.secret())))
                .isInstanceOfSatisfying(GateException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION));
        assertThat(gate.tokenize(withKey("x-api-key", once.secret())).count()).isEqualTo(2);
        assertThatThrownBy(() -> gate.tokenize(withKey("x-api-key", once.secret())))
                .isInstanceOfSatisfying(GateException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXCEEDED));

        assertThat(rejections).containsExactly("auth", "model", "rpm");
        assertThat(upstream.received).hasSize(1);
        assertThat(ledger.rows(null, null, 10)).isEmpty();
    }

    @Test
    void limitsThatCannotBeCheckedRefuseWith503AndAreCounted() {
        // Given limits whose shared store cannot be reached (as PostgresRateLimits throws then)
        LedgerWriter writer = new LedgerWriter(ledger, prices);
        auth = new Authenticator(keys, Defaults.CONFIG.auth(), () -> rejections.add("auth"));
        RateLimits away = (caller, budgeted) -> {
            throw new StoreUnavailableException("limits.rpm", new java.sql.SQLTransientConnectionException("no connection"));
        };
        GateBackend gate = new GateBackend(new ObservingBackend(upstream, List.of(writer)), auth, away, true,
                List.of(writer), rejections::add);
        CreatedKey k = keys.create(KeySpec.builder("a").withRpm(10).build());

        // Then the request is refused, never let through, with a 503 each dialect can read
        assertThatThrownBy(() -> gate.start(withKey("x-api-key", k.secret()), e -> {}))
                .isInstanceOfSatisfying(StoreUnavailableException.class, e -> {
                    assertThat(e.kind().status()).isEqualTo(503);
                    assertThat(e.retryAfter()).isNotNull();
                    assertThat(body(ErrorFormat.OPENAI, e)).contains("\"code\":\"service_unavailable\"");
                    assertThat(body(ErrorFormat.ANTHROPIC, e)).contains("\"type\":\"api_error\"");
                });
        assertThatThrownBy(() -> gate.tokenize(withKey("x-api-key", k.secret()))).isInstanceOf(StoreUnavailableException.class);
        assertThat(upstream.received).isEmpty();
        assertThat(rejections).containsExactly("store", "store");
    }

    /** The refusal as a client of that dialect reads it, from the server's one error mapper. */
    static String body(ErrorFormat format, ApiException e) {
        return Json.write(format.body(e));
    }
}
