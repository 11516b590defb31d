package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.RouteReason;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.fakes.FakeLocalBackend;
import dev.tandem.server.fakes.RecordingSink;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.fakes.Upstreams;
import dev.tandem.server.remote.RemoteBackends;
import dev.tandem.server.remote.Resilience;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeOpenAi;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.Status;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final String LOCAL = "codellama-7b-instruct";
    private final FakeAnthropic anthropic = new FakeAnthropic();
    private final FakeOpenAi openai = new FakeOpenAi();
    private final FakeLocalBackend local = new FakeLocalBackend();
    private RemoteBackends remotes;

    @AfterEach
    void close() {
        if (remotes != null) {
            remotes.close();
        }
        anthropic.close();
        openai.close();
    }

    private Router router(Policy policy) {
        return router(policy, Router.Hooks.NONE);
    }

    private Router router(Policy policy, Router.Hooks hooks) {
        Resilience fast = Upstreams.fast().toBuilder().withMaxAttempts(2, 3_000).withBackoff(10, 50, 0.2).build();
        remotes = new RemoteBackends(Upstreams.remotes(Map.entry("anthropic", Upstreams.anthropic(anthropic, fast)),
                Map.entry("openai", Upstreams.openai(openai, fast))), null);
        RoutingConfig defaults = Defaults.CONFIG.routing();
        RoutingConfig config = new RoutingConfig(policy, 1_000L, defaults.aliases(), defaults.fallbacks(), defaults.localModelOverflow());
        return new Router(config, local, List.of(LOCAL), local.loadSupplier(), remotes, hooks);
    }

    private static RecordingSink run(Router router, InferenceRequest request) {
        RecordingSink sink = new RecordingSink();
        router.start(request, sink);
        return sink.awaitEnd();
    }

    private static InferenceRequest chat(String model) {
        return chat(model, null, null);
    }

    /** A request from a key with {@code keyPolicy} that asks for {@code requestPolicy} itself (null: none). */
    private static InferenceRequest chat(String model, Policy keyPolicy, Policy requestPolicy) {
        return Requests.streamedChat(model, "hello")
                .withCaller(new Caller("key_test", keyPolicy, Caller.Limits.NONE))
                .withPolicy(requestPolicy)
                .build();
    }

    private int upstreamConnections() {
        return anthropic.connections() + openai.connections();
    }

    @Test
    void anIdleEngineServesLocallyAndNoRemoteIsEvenBuilt() {
        Router router = router(Policy.PREFER_LOCAL);
        RecordingSink sink = run(router, chat(LOCAL));
        assertThat(sink.started().backend()).isEqualTo("local");
        assertThat(sink.started().route()).isEqualTo(RouteReason.PRIMARY);
        assertThat(sink.text()).isEqualTo("local answer");
        assertThat(remotes.circuitStates()).as("no upstream client built").isEmpty();
        assertThat(upstreamConnections()).isZero();
    }

    @Test
    void aSaturatedEngineOverflowsToRemoteAndTrafficReturnsWhenItDrains() {
        Router router = router(Policy.PREFER_LOCAL);
        // Given a full queue: the next request goes to the first fallback, marked saturated
        local.load(FakeLocalBackend.queueFull());
        RecordingSink overflow = run(router, chat("auto"));
        assertThat(overflow.started().backend()).isEqualTo("anthropic");
        assertThat(overflow.started().route()).isEqualTo(RouteReason.SATURATED);
        assertThat(overflow.text()).isEqualTo(anthropic.defaultAnswer().fullText());
        assertThat(anthropic.requests()).isEqualTo(1);
        // When the engine drains, the next request is local again
        local.load(FakeLocalBackend.idle());
        RecordingSink back = run(router, chat("auto"));
        assertThat(back.started().backend()).isEqualTo("local");
        assertThat(back.started().route()).isEqualTo(RouteReason.PRIMARY);
        assertThat(anthropic.requests()).isEqualTo(1);
    }

    @Test
    void aLongEstimatedWaitCountsAsSaturated() {
        Router router = router(Policy.PREFER_LOCAL);
        local.load(FakeLocalBackend.busy(Duration.ofSeconds(5)));
        RecordingSink sink = run(router, chat(LOCAL));
        assertThat(sink.started().route()).isEqualTo(RouteReason.SATURATED);
        assertThat(sink.started().backend()).isEqualTo("anthropic");
        assertThat(local.startedRequests()).isEmpty();
    }

    @Test
    void whenEveryRemoteFailsASaturatedLocalIsTheLastResort() {
        Router router = router(Policy.PREFER_LOCAL);
        local.load(FakeLocalBackend.busy(Duration.ofSeconds(5)));
        for (int i = 0; i < 2; i++) {
            anthropic.enqueue(new Status(503, "api_error", "unavailable", Map.of()));
            openai.enqueue(new Status(503, "server_error", "unavailable", Map.of()));
        }
        RecordingSink sink = run(router, chat("auto"));
        assertThat(sink.started().backend()).isEqualTo("local");
        assertThat(sink.text()).isEqualTo("local answer");
        assertThat(anthropic.requests()).isEqualTo(2);
        assertThat(openai.requests()).isEqualTo(2);
        assertThat(sink.events()).noneMatch(InferenceEvent.Failed.class::isInstance);
        assertThat(sink.events().stream().filter(InferenceEvent.Started.class::isInstance).count()).isEqualTo(1);
    }

    @Test
    void aFailingRemoteFallsBackToTheNextRemote() {
        Router router = router(Policy.PREFER_LOCAL);
        local.load(FakeLocalBackend.queueFull());
        anthropic.enqueue(new Status(529, "overloaded_error", "Overloaded", Map.of()), new Status(529, "overloaded_error", "Overloaded", Map.of()));
        RecordingSink sink = run(router, chat("auto"));
        assertThat(sink.started().backend()).isEqualTo("openai");
        assertThat(sink.started().route()).isEqualTo(RouteReason.SATURATED);
        assertThat(sink.text()).isEqualTo(openai.defaultAnswer().fullText());
    }

    @Test
    void aLocalFailureBeforeTheFirstTokenFallsBackAsLocalError() {
        Router router = router(Policy.PREFER_LOCAL);
        local.mode(FakeLocalBackend.Mode.FAIL_BEFORE_FIRST_TOKEN);
        RecordingSink sink = run(router, chat(LOCAL));
        assertThat(sink.started().backend()).isEqualTo("anthropic");
        assertThat(sink.started().route()).isEqualTo(RouteReason.LOCAL_ERROR);
        assertThat(sink.events()).noneMatch(InferenceEvent.Failed.class::isInstance);
    }

    @Test
    void aLocalFailureAfterTheFirstTokenIsNeverFallenBackFrom() {
        Router router = router(Policy.PREFER_LOCAL);
        local.mode(FakeLocalBackend.Mode.FAIL_AFTER_FIRST_TOKEN);
        RecordingSink sink = run(router, chat(LOCAL));
        assertThat(sink.text()).isEqualTo("local ");
        assertThat(sink.failed().error().kind()).isEqualTo(ErrorKind.INTERNAL);
        assertThat(upstreamConnections()).isZero();
    }

    @Test
    void imagesGoToARemoteThatCanServeThemAsCapability() throws Exception {
        Router router = router(Policy.PREFER_LOCAL);
        InferenceRequest request = Requests.streamedChat(LOCAL, new Input.Chat(null, List.of(new Message(Role.USER, List.of(
                new Content.Text("what is this"), new Content.Image("image/png", "iVBORw0KGgo=", null)))))).build();
        RecordingSink sink = run(router, request);
        assertThat(sink.started().backend()).isEqualTo("anthropic");
        assertThat(sink.started().route()).isEqualTo(RouteReason.CAPABILITY);
        assertThat(anthropic.lastRequest().body()).contains("\"image\"").contains("\"model\":\"claude-sonnet-4-5\"");
        assertThat(local.startedRequests()).isEmpty();
    }

    @Test
    void toolsAreServedLocallyNowThatTheLocalModelCallsThem() throws Exception {
        Router router = router(Policy.PREFER_LOCAL);
        InferenceRequest request = Requests.streamedChat(LOCAL, "hello").withTools(Requests.WEATHER_TOOL, ToolChoice.REQUIRED).build();
        RecordingSink sink = run(router, request);
        assertThat(sink.started().backend()).isEqualTo("local");
        assertThat(local.startedRequests()).hasSize(1);
        assertThat(upstreamConnections()).isZero();
    }

    @Test
    void imagesUnderLocalOnlyGetAClear400AndNoConnection() {
        Router router = router(Policy.LOCAL_ONLY);
        InferenceRequest request = Requests.streamedChat(LOCAL, new Input.Chat(null, List.of(new Message(Role.USER, List.of(
                new Content.Text("what is this"), new Content.Image("image/png", "iVBORw0KGgo=", null)))))).build();
        assertThatThrownBy(() -> router.start(request, new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("local-only");
                });
        assertThat(upstreamConnections()).isZero();
    }

    @Test
    void complianceModeMakesZeroUpstreamConnectionsEvenSaturatedAndAskedForARemoteModel() {
        // Given a local-only server, a saturated engine, and upstreams that would answer
        Router router = router(Policy.LOCAL_ONLY);
        local.load(FakeLocalBackend.queueFull());
        // When asked for the local model: a saturation error with Retry-After, not a remote answer
        assertThatThrownBy(() -> router.start(chat(LOCAL), new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED);
                    assertThat(e.retryAfter()).isNotNull();
                });
        // When asked for remote models explicitly, even with a header asking for remote-only: refused
        for (String model : List.of("claude-sonnet-4-5", "gpt-4o")) {
            assertThatThrownBy(() -> router.start(chat(model), new RecordingSink()))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION));
        }
        assertThatThrownBy(() -> router.start(chat("auto", null, Policy.REMOTE_ONLY), new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION));
        // And images (which only a remote could serve) are refused too
        assertThatThrownBy(() -> router.start(Requests.streamedChat("auto", new Input.Chat(null, List.of(new Message(Role.USER, List.of(
                new Content.Image("image/png", "iVBORw0KGgo=", null)))))).build(), new RecordingSink())).isInstanceOf(ApiException.class);
        // Then no upstream was ever contacted, nor even built
        assertThat(upstreamConnections()).isZero();
        assertThat(anthropic.requests() + openai.requests()).isZero();
        assertThat(remotes.circuitStates()).as("no upstream client built").isEmpty();
        assertThat(router.circuitStates()).isEmpty();
    }

    @Test
    void aRequestOrKeyNarrowedToLocalOnlyStaysLocalWhenSaturated() {
        Router router = router(Policy.PREFER_LOCAL);
        local.load(FakeLocalBackend.queueFull());
        for (Policy[] keyAndRequest : List.of(new Policy[] {null, Policy.LOCAL_ONLY}, new Policy[] {Policy.LOCAL_ONLY, null})) {
            assertThatThrownBy(() -> router.start(chat("auto", keyAndRequest[0], keyAndRequest[1]), new RecordingSink()))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.OVERLOADED));
            assertThatThrownBy(() -> router.start(chat("claude-sonnet-4-5", keyAndRequest[0], keyAndRequest[1]), new RecordingSink()))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION));
        }
        assertThat(upstreamConnections()).isZero();
        assertThat(remotes.circuitStates()).as("no upstream client built").isEmpty();
    }

    @Test
    void policiesNarrowButNeverWiden() {
        Router router = router(Policy.PREFER_LOCAL);
        assertThat(router.effectivePolicy(chat(LOCAL))).isEqualTo(Policy.PREFER_LOCAL);
        assertThat(router.effectivePolicy(chat(LOCAL, null, Policy.REMOTE_ONLY))).isEqualTo(Policy.REMOTE_ONLY);
        assertThat(router.effectivePolicy(chat(LOCAL, Policy.LOCAL_ONLY, Policy.PREFER_LOCAL))).isEqualTo(Policy.LOCAL_ONLY);
        assertThatThrownBy(() -> router.effectivePolicy(chat(LOCAL, Policy.LOCAL_ONLY, Policy.REMOTE_ONLY)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PERMISSION));
        // an unknown policy never gets this far: the edge refuses the header (EdgeHeadersIT)
    }

    @Test
    void remoteOnlySendsLocalAndAliasModelsToRemoteAsPolicy() {
        Router router = router(Policy.PREFER_LOCAL);
        RecordingSink sink = run(router, chat(LOCAL, null, Policy.REMOTE_ONLY));
        assertThat(sink.started().backend()).isEqualTo("anthropic");
        assertThat(sink.started().route()).isEqualTo(RouteReason.POLICY);
        assertThat(local.startedRequests()).isEmpty();
    }

    @Test
    void remoteModelNamesGoToTheirBackendAsPrimary() {
        Router router = router(Policy.PREFER_LOCAL);
        RecordingSink gpt = run(router, chat("gpt-4o-mini"));
        assertThat(gpt.started().backend()).isEqualTo("openai");
        assertThat(gpt.started().route()).isEqualTo(RouteReason.PRIMARY);
        assertThat(openai.lastRequest().body()).contains("\"model\":\"gpt-4o-mini\"");
        RecordingSink claude = run(router, chat("claude-haiku-4-5"));
        assertThat(claude.started().backend()).isEqualTo("anthropic");
        assertThat(local.startedRequests()).isEmpty();
        assertThat(router.circuitStates()).containsEntry("anthropic", CircuitState.CLOSED).containsEntry("openai", CircuitState.CLOSED);
    }

    @Test
    void anUnknownModelIsNotFound() {
        Router router = router(Policy.PREFER_LOCAL);
        assertThat(router.knows("llama-9000")).isFalse();
        assertThat(router.knows("claude-opus-4-1")).isTrue();
        assertThat(router.knows("auto")).isTrue();
        assertThat(router.knows(LOCAL)).isTrue();
        assertThat(router.knownModels(List.of(LOCAL))).containsExactly(LOCAL, "auto", "default", "claude-sonnet-4-5", "gpt-4o");
        assertThatThrownBy(() -> router.start(chat("llama-9000"), new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND);
                    assertThat(e.getMessage()).contains("llama-9000");
                });
    }

    @Test
    void aNonRetriableRemoteErrorComesBackWithoutFallback() {
        Router router = router(Policy.PREFER_LOCAL);
        anthropic.enqueue(new Status(400, "invalid_request_error", "max_tokens: 999999 > 64000, the maximum allowed", Map.of()));
        RecordingSink sink = run(router, chat("claude-sonnet-4-5"));
        assertThat(sink.events()).hasSize(1);
        assertThat(sink.failed().error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(sink.failed().error().getMessage()).contains("max_tokens: 999999").doesNotContain(anthropic.apiKey());
        assertThat(openai.requests()).isZero();
    }

    @Test
    void aServerThatIsRemoteOnlyNeedsARemote() {
        RoutingConfig defaults = Defaults.CONFIG.routing();
        RoutingConfig config = new RoutingConfig(Policy.REMOTE_ONLY, defaults.maxLocalWaitMs(), defaults.aliases(),
                defaults.fallbacks(), defaults.localModelOverflow());
        RemoteBackends none = new RemoteBackends(Defaults.CONFIG.remotes(), null); // no key: nothing enabled
        assertThatThrownBy(() -> new Router(config, local, List.of(LOCAL), local.loadSupplier(), none))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hooksWrapRemotesAndHearOfHiddenFailures() {
        // Given a wrapper that keeps every request off anthropic (as redaction's keep-local would), and a failure listener
        List<String> hidden = new java.util.concurrent.CopyOnWriteArrayList<>();
        Router.Hooks hooks = new Router.Hooks(b -> !b.name().equals("anthropic") ? b : new Backend() {
            public String name() {
                return b.name();
            }

            public Optional<String> cannotServe(InferenceRequest r) {
                return Optional.of("kept local by policy");
            }

            public Call start(InferenceRequest r, Consumer<InferenceEvent> sink) {
                throw new AssertionError("never started");
            }
        }, (backend, error) -> hidden.add(backend + ":" + error.kind()));
        Router router = router(Policy.PREFER_LOCAL, hooks);
        // When local fails before its first token
        local.mode(FakeLocalBackend.Mode.FAIL_BEFORE_FIRST_TOKEN);
        RecordingSink sink = run(router, chat("auto"));
        // Then anthropic is skipped, openai serves, and the hidden local failure was reported
        assertThat(sink.started().backend()).isEqualTo("openai");
        assertThat(anthropic.connections()).isZero();
        assertThat(hidden).containsExactly("local:INTERNAL");
    }

    @Test
    void concurrentRequestsSplitBetweenLocalAndRemoteWithoutCrossTalk() {
        Router router = router(Policy.PREFER_LOCAL);
        List<RecordingSink> sinks = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            local.load(i % 2 == 0 ? FakeLocalBackend.idle() : FakeLocalBackend.queueFull());
            RecordingSink sink = new RecordingSink();
            router.start(chat("auto"), sink);
            sinks.add(sink);
        }
        for (int i = 0; i < sinks.size(); i++) {
            RecordingSink sink = sinks.get(i).awaitEnd();
            String expected = i % 2 == 0 ? "local answer" : anthropic.defaultAnswer().fullText();
            assertThat(sink.text()).isEqualTo(expected);
            assertThat(sink.events().stream().filter(InferenceEvent.Started.class::isInstance).count()).isEqualTo(1);
            assertThat(sink.events().get(sink.events().size() - 1)).isInstanceOf(InferenceEvent.Finished.class);
        }
        // (the bulkhead admits 8 concurrent calls to anthropic; the rest fall over to openai)
        assertThat(anthropic.requests() + openai.requests()).isEqualTo(12);
        assertThat(anthropic.requests()).isBetween(8, 12);
    }

    @Test
    void cancellingARoutedRemoteCallStopsItsStream() throws Exception {
        Router router = router(Policy.PREFER_LOCAL);
        // (frames 300 ms apart: the stream lasts seconds after its first text, within the idle timeout of 1 s)
        anthropic.enqueue(new dev.tandem.testkit.FakeUpstream.Trickle(Duration.ofMillis(300),
                Answer.text("a", "b", "c", "d", "e", "f").withUsage(5, 6)));
        RecordingSink sink = new RecordingSink();
        Backend.Call call = router.start(chat("claude-sonnet-4-5"), sink);
        sink.awaitText();
        call.cancel();
        int seen = sink.events().size();
        Thread.sleep(500);
        assertThat(sink.events()).hasSize(seen);
        assertThat(sink.ended()).isFalse();
    }

    @Test
    void aCancelThatLandsWhileTheFallbackIsStartingStillCancelsTheFallback() throws Exception {
        // Given a local failure before the first token, and a remote whose start is slow (held by a latch)
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch remoteCancelled = new CountDownLatch(1);
        Backend slowRemote = new Backend() {
            @Override
            public String name() {
                return "anthropic";
            }

            @Override
            public Optional<String> cannotServe(InferenceRequest request) {
                return Optional.empty();
            }

            @Override
            public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return remoteCancelled::countDown;
            }
        };
        local.mode(FakeLocalBackend.Mode.FAIL_BEFORE_FIRST_TOKEN);
        Router router = router(Policy.PREFER_LOCAL, new Router.Hooks(remote -> slowRemote, null));
        Backend.Call call = router.start(chat("auto"), new RecordingSink());
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        // When the client goes away while the fallback is being started
        call.cancel();
        release.countDown();
        // Then the fallback's call is cancelled as soon as it exists
        assertThat(remoteCancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theEnginesBoundOnCallsAtOnceHoldsOnlyWhenNoRemoteCouldTakeTheRest() {
        // Given an engine of 8 slots and 16 queue places, and remote fallbacks
        Router preferLocal = router(Policy.PREFER_LOCAL);
        // Then a request that may overflow is unbounded, one that must stay local is bounded by the engine
        assertThat(preferLocal.maxCallsAtOnce(chat("auto"))).isEqualTo(Integer.MAX_VALUE);
        assertThat(preferLocal.maxCallsAtOnce(chat("auto", null, Policy.LOCAL_ONLY))).isEqualTo(24);
        // And a remote model, or a request refused anyway, is not bounded by the engine
        assertThat(preferLocal.maxCallsAtOnce(chat("claude-sonnet-4-5"))).isEqualTo(Integer.MAX_VALUE);
        assertThat(preferLocal.maxCallsAtOnce(chat("no-such-model"))).isEqualTo(Integer.MAX_VALUE);
    }
}
