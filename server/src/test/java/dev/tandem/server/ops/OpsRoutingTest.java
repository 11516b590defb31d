package dev.tandem.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.server.Operations;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Policy;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.fakes.FakeLocalBackend;
import dev.tandem.server.fakes.RecordingSink;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.fakes.Upstreams;
import dev.tandem.server.ops.keys.KeySpec;
import dev.tandem.server.ops.ledger.LedgerConfig;
import dev.tandem.server.ops.ledger.PriceTable;
import dev.tandem.server.ops.ledger.UsageRecord;
import dev.tandem.server.ops.logging.LogSetup;
import dev.tandem.server.ops.logging.LoggingConfig;
import dev.tandem.server.ops.redaction.PlantedSecrets;
import dev.tandem.server.ops.redaction.RedactionAction;
import dev.tandem.server.remote.RemoteBackends;
import dev.tandem.server.remote.RemoteConfig;
import dev.tandem.server.remote.Resilience;
import dev.tandem.server.routing.Router;
import dev.tandem.server.routing.RoutingConfig;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeUpstream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The operator decorators wired around the real Router and a real Anthropic backend talking to the
 * fake upstream on loopback, as the server's assembly wires them.
 */
class OpsRoutingTest {
    static final String LOCAL = "tiny-local";
    static final String CLAUDE = "claude-test";

    @TempDir
    Path dir;
    final FakeAnthropic anthropic = new FakeAnthropic();
    final FakeLocalBackend local = new FakeLocalBackend();
    final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    RemoteBackends remotes;
    Operations ops;

    @AfterEach
    void close() {
        if (remotes != null) {
            remotes.close();
        }
        if (ops != null) {
            ops.close();
        }
        anthropic.close();
    }

    Backend server(RedactionAction redactionAction) {
        TandemConfig config = Defaults.CONFIG.toBuilder()
                .withLedger(new LedgerConfig(dir.resolve("t.db").toString(), "NORMAL", Map.of(CLAUDE, new PriceTable.Price(3.0, 15.0)), 10_000))
                .withRedaction(Defaults.CONFIG.redaction().toBuilder().withRemoteAction(redactionAction).build())
                .withLogging(new LoggingConfig("json", "debug"))
                .build();
        ops = Operations.open(config, local.loadSupplier(), null, () -> remotes.circuitStates());
        // capture every log line from here on, through the same redacting encoder
        LogSetup.configure(new LoggingConfig("json", "debug"), ops.redactor(), logs);
        Resilience fast = Upstreams.fast().toBuilder().withMaxAttempts(2, 3_000).withBackoff(10, 50, 0.2).build();
        RemoteConfig claude = Upstreams.anthropic(anthropic, fast).toBuilder().withModels(List.of(CLAUDE), CLAUDE).build();
        remotes = new RemoteBackends(Upstreams.remotes(Map.entry("anthropic", claude),
                Map.entry("openai", Defaults.CONFIG.remotes().get("openai"))), null);
        RoutingConfig routing = new RoutingConfig(Policy.PREFER_LOCAL, 1_000L, Defaults.CONFIG.routing().aliases(), List.of("anthropic"),
                Defaults.CONFIG.routing().localModelOverflow());
        Router router = new Router(routing, local, List.of(LOCAL), local.loadSupplier(), remotes, ops.routerHooks(local));
        return ops.guardDispatcher(router);
    }

    String key(Policy policy) {
        return ops.keys().create(KeySpec.builder("k").withPolicy(policy).build()).secret();
    }

    /** A request from the key with this secret, its caller found as the edge's auth filter finds it. */
    InferenceRequest ask(String model, String text, String secret) {
        return Requests.chat(model, text).withCaller(ops.keys().findBySecret(secret).orElseThrow().caller()).build();
    }

    String everythingSeenUpstream() {
        StringBuilder b = new StringBuilder();
        anthropic.received().forEach(r -> b.append(r.headers()).append(r.body()));
        return b.toString();
    }

    @Test
    void redactModeMasksPlantedSecretsBeforeTheUpstreamAndInLogs() {
        Backend server = server(RedactionAction.REDACT);
        String secret = key(null);
        Map<String, String> planted = PlantedSecrets.fresh();
        LoggerFactory.getLogger("test").info("client pasted {}", PlantedSecrets.document(planted));

        RecordingSink sink = new RecordingSink();
        server.start(ask(CLAUDE, PlantedSecrets.document(planted), secret), sink);
        sink.awaitEnd();

        assertThat(sink.started().backend()).isEqualTo("anthropic");
        assertThat(anthropic.requests()).isEqualTo(1);
        String upstream = everythingSeenUpstream();
        assertThat(upstream).contains("[REDACTED:anthropic_key]").contains("please fix the bug");
        planted.values().forEach(s -> assertThat(upstream).doesNotContain(s));
        assertThat(upstream).doesNotContain(secret);
        String logText = logs.toString(StandardCharsets.UTF_8);
        assertThat(logText).contains("client pasted");
        planted.values().forEach(s -> assertThat(logText).doesNotContain(s));

        // the remote answer is in the ledger, priced by the model that served it
        UsageRecord row = ops.ledger().rows(null, null, 10).get(0);
        assertThat(row.backend()).isEqualTo("anthropic");
        assertThat(row.costUsd()).isGreaterThan(0);
    }

    @Test
    void keepLocalModeServesASecretBearingPromptLocallyWithoutAnyConnection() {
        Backend server = server(RedactionAction.KEEP_LOCAL);
        String secret = key(null);
        local.load(FakeLocalBackend.busy(java.time.Duration.ofSeconds(30))); // saturated: would overflow to Claude

        RecordingSink sink = new RecordingSink();
        server.start(ask(LOCAL, PlantedSecrets.document(PlantedSecrets.fresh()), secret), sink);
        sink.awaitEnd();
        assertThat(sink.started().backend()).isEqualTo("local");
        assertThat(anthropic.connections()).isZero();

        // a clean prompt still overflows to the remote backend
        RecordingSink clean = new RecordingSink();
        server.start(ask(LOCAL, "write a haiku", secret), clean);
        clean.awaitEnd();
        assertThat(clean.started().backend()).isEqualTo("anthropic");
    }

    @Test
    void refuseModeAnswers400AndNothingLeaves() {
        Backend server = server(RedactionAction.REFUSE);
        String secret = key(null);
        assertThatThrownBy(() -> server.start(ask(CLAUDE, PlantedSecrets.document(PlantedSecrets.fresh()), secret), new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST));
        assertThat(anthropic.connections()).isZero();
    }

    @Test
    void aLocalOnlyKeyNeverReachesTheUpstreamEvenWhenItAsksForIt() {
        Backend server = server(RedactionAction.REDACT);
        String secret = key(Policy.LOCAL_ONLY);
        local.load(FakeLocalBackend.queueFull());
        assertThatThrownBy(() -> server.start(ask(CLAUDE, "hi", secret), new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION));
        // and a client cannot widen it with its own header
        InferenceRequest asked = ask(CLAUDE, "hi", secret);
        InferenceRequest spoofed = asked.toBuilder()
                .withCaller(new Caller(asked.caller().keyId(), Policy.REMOTE_ONLY, asked.caller().limits())).build();
        assertThatThrownBy(() -> server.start(spoofed, new RecordingSink())).isInstanceOf(ApiException.class);
        assertThat(anthropic.connections()).isZero();
        assertThat(remotes.circuitStates()).as("no upstream client built").isEmpty();
    }

    @Test
    void hiddenUpstreamFailuresAndBreakerStatesShowInMetrics() {
        Backend server = server(RedactionAction.REDACT);
        String secret = key(null);
        local.load(FakeLocalBackend.queueFull());
        anthropic.enqueue(new FakeUpstream.Status(400, "invalid_request_error", "bad", Map.of()));
        RecordingSink sink = new RecordingSink();
        try {
            server.start(ask(CLAUDE, "hi", secret), sink);
            sink.awaitEnd();
        } catch (ApiException expected) {
            // a 400 from the upstream comes back to the caller
        }
        var metrics = dev.tandem.server.ops.metrics.PromText.parse(ops.metrics().scrape());
        assertThat(metrics.value("tandem_circuit_breaker_state", "upstream", "anthropic", "state", "closed")).isEqualTo(1);
        assertThat(metrics.value("tandem_upstream_errors_total", "backend", "anthropic", "type", "invalid_request")).isEqualTo(1);
    }
}
