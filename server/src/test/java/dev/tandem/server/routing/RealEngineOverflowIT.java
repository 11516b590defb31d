package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.EngineLoad;
import dev.tandem.models.Engines;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.RouteReason;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.fakes.Await;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.fakes.RecordingSink;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.fakes.Upstreams;
import dev.tandem.server.local.EngineSettings;
import dev.tandem.server.local.LocalBackend;
import dev.tandem.server.local.LocalModel;
import dev.tandem.server.remote.RemoteBackends;
import dev.tandem.server.remote.RemoteConfig;
import dev.tandem.testkit.FakeAnthropic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The router over the real engine and LocalBackend (a small generated checkpoint, one running slot,
 * one waiting slot): overflow to the remote when the engine is saturated, back to local when it
 * drains; and compliance mode staying local (429/529) with zero upstream connections.
 */
class RealEngineOverflowIT {
    private static final String MODEL = "tiny-local";
    /** A window no test outlives (see TestServer.hogContext()): the hogs hold their slots until the test cancels them. */
    private static final int WINDOW = 65_536;
    private static LocalModel model;
    private static LocalBackend local;
    private static Supplier<EngineLoad> load;
    private final FakeAnthropic anthropic = new FakeAnthropic();
    private RemoteBackends remotes;

    @BeforeAll
    static void loadEngine() throws Exception {
        Path dir = Files.createTempDirectory("tandem-routing-");
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withMaxPositions(WINDOW));
        EngineSettings settings = Defaults.CONFIG.engine().toBuilder()
                .withCheckpoint(dir.toString())
                .withModelId(MODEL)
                .withDevice("cpu")
                .withDtype("float32")
                .withQueue(1, 1)
                .withKvTokenBudget(0)
                .withPrefillChunk(256)
                .withThreads(1)
                .build();
        model = new LocalModel(settings, dir, Engines::open, d -> {
            throw new AssertionError("no demo checkpoint here");
        });
        model.loadInBackground();
        load = model.awaitReady(Duration.ofSeconds(60))::load;
        local = new LocalBackend(model, Defaults.CONFIG.server().strictMaxTokens());
    }

    @AfterAll
    static void closeEngine() {
        model.close();
    }

    @AfterEach
    void closeUpstreams() {
        if (remotes != null) {
            remotes.close();
        }
        anthropic.close();
    }

    private Router router(Policy policy) {
        RemoteConfig claude = Upstreams.anthropic(anthropic, Defaults.CONFIG.remotes().get("anthropic").resilience());
        remotes = new RemoteBackends(Upstreams.remotes(Map.entry("anthropic", claude),
                Map.entry("openai", Defaults.CONFIG.remotes().get("openai"))), null);
        RoutingConfig defaults = Defaults.CONFIG.routing();
        return new Router(new RoutingConfig(policy, 60_000L, defaults.aliases(), defaults.fallbacks(), defaults.localModelOverflow()),
                local, List.of(MODEL), load, remotes);
    }

    private static InferenceRequest request(String model, int maxTokens, boolean ignoreEos) {
        return Requests.chat(model, "def fib(n):")
                .withMaxTokens(maxTokens)
                .withSampling(Sampling.builder().withTemperature(0.0).withIgnoreEos(ignoreEos).build())
                .withStream(true)
                .build();
    }

    /** A chat whose prompt alone is longer than the local window. */
    private static InferenceRequest longPrompt() {
        String text = "def fib(n): return n ";
        while (model.engine().tokenizer().encode(text, false).length <= WINDOW) {
            text = text + text;
        }
        return Requests.chat("auto", text).withMaxTokens(16).withStream(true).build();
    }

    /** Fills the one running and the one waiting slot with long generations. */
    private static List<Backend.Call> saturate() throws InterruptedException {
        // an earlier test's last answer may still hold its slot for a step after its Finished arrived
        Await.until(() -> load.get().running() == 0 && load.get().waiting() == 0, "an idle engine");
        // as many tokens as the window holds after the prompt: only drain() ends them
        Backend.Call running = local.start(request(MODEL, WINDOW - 64, true), e -> { });
        Backend.Call waiting = local.start(request(MODEL, WINDOW - 64, true), e -> { });
        Await.until(() -> load.get().running() == 1 && load.get().waiting() == 1, "one running and one waiting");
        return List.of(running, waiting);
    }

    private static void drain(List<Backend.Call> calls) throws InterruptedException {
        calls.forEach(Backend.Call::cancel);
        Await.until(() -> load.get().running() == 0 && load.get().waiting() == 0, "the engine drained");
    }

    @Test
    void overflowsToRemoteWhenSaturatedAndReturnsToLocalWhenDrained() throws Exception {
        Router router = router(Policy.PREFER_LOCAL);
        // Given an idle engine: the local model serves
        RecordingSink idle = new RecordingSink();
        router.start(request("auto", 8, false), idle);
        idle.awaitEnd();
        assertThat(idle.started().backend()).isEqualTo("local");
        assertThat(idle.started().route()).isEqualTo(RouteReason.PRIMARY);
        assertThat(idle.events().get(idle.events().size() - 1)).isInstanceOf(InferenceEvent.Finished.class);
        assertThat(anthropic.connections()).isZero();

        // When the engine is saturated: the remote serves, marked saturated
        List<Backend.Call> hogs = saturate();
        RecordingSink overflow = new RecordingSink();
        router.start(request("auto", 8, false), overflow);
        overflow.awaitEnd();
        assertThat(overflow.started().backend()).isEqualTo("anthropic");
        assertThat(overflow.started().route()).isEqualTo(RouteReason.SATURATED);
        assertThat(overflow.text()).isEqualTo(anthropic.defaultAnswer().fullText());
        assertThat(anthropic.requests()).isEqualTo(1);

        // Then once it drains, local again
        drain(hogs);
        RecordingSink back = new RecordingSink();
        router.start(request(MODEL, 8, false), back);
        back.awaitEnd();
        assertThat(back.started().backend()).isEqualTo("local");
        assertThat(back.started().route()).isEqualTo(RouteReason.PRIMARY);
        assertThat(anthropic.requests()).isEqualTo(1);
    }

    @Test
    void aRequestLongerThanTheLocalWindowGoesRemoteAsCapability() {
        Router router = router(Policy.PREFER_LOCAL);
        // Given a prompt longer than the local context window
        RecordingSink sink = new RecordingSink();
        router.start(longPrompt(), sink);
        sink.awaitEnd();
        assertThat(sink.started().backend()).isEqualTo("anthropic");
        assertThat(sink.started().route()).isEqualTo(RouteReason.CAPABILITY);
        // And under local-only it is the engine's own clear 400
        Router compliant = router(Policy.LOCAL_ONLY);
        assertThatThrownBy(() -> compliant.start(longPrompt(), new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("context window");
                });
        assertThat(anthropic.requests()).isEqualTo(1);
    }

    @Test
    void complianceModeAnswersSaturationWithRetryAfterAndNeverConnects() throws Exception {
        Router router = router(Policy.LOCAL_ONLY);
        List<Backend.Call> hogs = saturate();
        try {
            assertThatThrownBy(() -> router.start(request("auto", 8, false), new RecordingSink()))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED);
                        assertThat(e.retryAfter()).isNotNull();
                    });
            assertThatThrownBy(() -> router.start(request("claude-sonnet-4-5", 8, false), new RecordingSink()))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION));
        } finally {
            drain(hogs);
        }
        assertThat(anthropic.connections()).isZero();
        assertThat(remotes.circuitStates()).as("no upstream client built").isEmpty();
    }
}
