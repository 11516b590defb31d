package dev.tandem.server.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.core.Backend;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.fakes.Await;
import dev.tandem.server.fakes.RecordingSink;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.fakes.Upstreams;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeOpenAi;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.ErrorEvent;
import dev.tandem.testkit.FakeUpstream.MalformedJson;
import dev.tandem.testkit.FakeUpstream.ResetMidStream;
import dev.tandem.testkit.FakeUpstream.SlowFirstByte;
import dev.tandem.testkit.FakeUpstream.StallMidStream;
import dev.tandem.testkit.FakeUpstream.Status;
import dev.tandem.testkit.FakeUpstream.Trickle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each upstream fault, and what the Failsafe policies and the commit point make of it. */
class RemoteResilienceTest {
    private static final Answer ANSWER = Answer.text("one ", "two ", "three").withUsage(10, 3);
    private final FakeAnthropic anthropic = new FakeAnthropic();
    private final FakeOpenAi openai = new FakeOpenAi();
    private final List<RemoteBackend> backends = new ArrayList<>();

    @AfterEach
    void close() {
        backends.forEach(RemoteBackend::close);
        anthropic.close();
        openai.close();
    }

    private RemoteBackend claude(Resilience r) {
        RemoteBackend b = new RemoteBackend("anthropic", Upstreams.anthropic(anthropic, r), null);
        backends.add(b);
        return b;
    }

    private RemoteBackend claude() {
        return claude(Upstreams.fast());
    }

    private static RecordingSink run(Backend backend) {
        RecordingSink sink = new RecordingSink();
        backend.start(Requests.streamedChat("claude-sonnet-4-5", "count to three").build(), sink);
        return sink.awaitEnd();
    }

    private static long startedEvents(RecordingSink sink) {
        return sink.events().stream().filter(InferenceEvent.Started.class::isInstance).count();
    }

    @Test
    void rateLimitedWithRetryAfterIsRetriedNoEarlierThanTheHint() {
        // Given a 429 that asks for one second
        anthropic.answerByDefault(ANSWER).enqueue(new Status(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit",
                Map.of("retry-after", "1")));
        // When a request goes through
        RecordingSink sink = run(claude());
        // Then it succeeds on the second attempt, sent at least one second after the first
        assertThat(sink.text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(2);
        long gapMs = TimeUnit.NANOSECONDS.toMillis(anthropic.received().get(1).atNanos() - anthropic.received().get(0).atNanos());
        assertThat(gapMs).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void retryAfterMsFromOpenAiIsHonoured() {
        openai.answerByDefault(ANSWER).enqueue(new Status(429, "requests", "Rate limit reached for requests", Map.of("retry-after-ms", "300")));
        RemoteBackend gpt = new RemoteBackend("openai", Upstreams.openai(openai, Upstreams.fast()), null);
        backends.add(gpt);
        RecordingSink sink = new RecordingSink();
        gpt.start(Requests.streamedChat("gpt-4o", "count").build(), sink);
        assertThat(sink.awaitEnd().text()).isEqualTo("one two three");
        long gapMs = TimeUnit.NANOSECONDS.toMillis(openai.received().get(1).atNanos() - openai.received().get(0).atNanos());
        assertThat(gapMs).isGreaterThanOrEqualTo(300);
    }

    @Test
    void aRetryAfterLongerThanTheRetryBudgetIsNotWaitedFor() {
        // Given a 429 asking for a minute while the retry budget is 20 s
        anthropic.enqueue(new Status(429, "rate_limit_error", "slow down", Map.of("retry-after", "60")));
        RecordingSink sink = run(claude());
        // Then it fails at once (the router can fall back), carrying the hint for the caller
        assertThat(sink.failed().error().kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(sink.failed().error().retryAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(anthropic.requests()).isEqualTo(1);
    }

    @Test
    void serverErrorsTwiceThenSuccessIsOneCleanAnswer() {
        anthropic.answerByDefault(ANSWER).enqueue(
                new Status(500, "api_error", "Internal server error", Map.of()),
                new Status(502, "api_error", "Bad gateway", Map.of()));
        RecordingSink sink = run(claude());
        assertThat(anthropic.requests()).isEqualTo(3);
        assertThat(sink.text()).isEqualTo("one two three");
        assertThat(startedEvents(sink)).isEqualTo(1);
        assertThat(sink.events()).noneMatch(InferenceEvent.Failed.class::isInstance);
    }

    @Test
    void attemptsAreBounded() {
        for (int i = 0; i < 5; i++) {
            anthropic.enqueue(new Status(503, "api_error", "Service unavailable", Map.of()));
        }
        RecordingSink sink = run(claude());
        assertThat(anthropic.requests()).isEqualTo(3);
        assertThat(sink.failed().error().kind()).isEqualTo(ErrorKind.UPSTREAM);
        assertThat(sink.events()).hasSize(1);
    }

    @Test
    void overloaded529IsRetried() {
        anthropic.answerByDefault(ANSWER).enqueue(new Status(529, "overloaded_error", "Overloaded", Map.of()));
        RecordingSink sink = run(claude());
        assertThat(sink.text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(2);
    }

    @Test
    void aSlowFirstByteTimesOutAndIsRetried() {
        // Given the first answer would start after 3 s while the first-byte timeout is 1 s
        anthropic.answerByDefault(ANSWER).enqueue(new SlowFirstByte(Duration.ofSeconds(3), ANSWER));
        RecordingSink sink = run(claude());
        assertThat(sink.text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(2);
    }

    @Test
    void aStreamSlowerThanTheFirstByteTimeoutIsNotCut() {
        // Given a slow but live stream: frames 150 ms apart, over a second in all (first-byte and idle timeouts 1 s)
        anthropic.enqueue(new Trickle(Duration.ofMillis(150), ANSWER));
        RecordingSink sink = run(claude());
        assertThat(sink.text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(1);
    }

    @Test
    void aStallBeforeTheFirstTokenIsRetriedInvisibly() {
        // Given an upstream that sends message_start and then goes silent for 3 s (idle timeout 1 s)
        anthropic.answerByDefault(ANSWER).enqueue(new StallMidStream(0, Duration.ofSeconds(3), ANSWER));
        RecordingSink sink = run(claude());
        assertThat(sink.text()).isEqualTo("one two three");
        assertThat(startedEvents(sink)).isEqualTo(1);
        assertThat(anthropic.requests()).isEqualTo(2);
    }

    @Test
    void aStallAfterTheFirstTokenEndsTheStreamWithAnErrorAndNoRetry() {
        anthropic.enqueue(new StallMidStream(2, Duration.ofSeconds(3), ANSWER));
        RecordingSink sink = run(claude());
        assertThat(sink.text()).isEqualTo("one two ");
        assertThat(sink.failed().error().kind()).isEqualTo(ErrorKind.TIMEOUT);
        assertThat(sink.events().get(sink.events().size() - 1)).isInstanceOf(InferenceEvent.Failed.class);
        assertThat(anthropic.requests()).isEqualTo(1);
    }

    @Test
    void aResetAfterTheFirstTokenIsAFailureNotARetry() {
        anthropic.enqueue(new ResetMidStream(1, ANSWER));
        RecordingSink sink = run(claude());
        assertThat(sink.text()).isEqualTo("one ");
        assertThat(sink.failed().error().kind()).isEqualTo(ErrorKind.UPSTREAM);
        assertThat(anthropic.requests()).isEqualTo(1);
    }

    @Test
    void aResetBeforeTheFirstTokenIsRetried() {
        anthropic.answerByDefault(ANSWER).enqueue(new ResetMidStream(0, ANSWER));
        RecordingSink sink = run(claude());
        assertThat(sink.text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(2);
    }

    @Test
    void malformedJsonBeforeContentIsRetriedAndAfterContentFails() {
        anthropic.answerByDefault(ANSWER).enqueue(new MalformedJson(0, ANSWER));
        assertThat(run(claude()).text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(2);

        anthropic.enqueue(new MalformedJson(2, ANSWER));
        RecordingSink broken = run(claude());
        assertThat(broken.text()).isEqualTo("one two ");
        assertThat(broken.failed().error().getMessage()).contains("malformed");
        assertThat(anthropic.requests()).isEqualTo(3);
    }

    @Test
    void anErrorEventMidStreamEndsTheStreamWithItsKind() {
        anthropic.enqueue(new ErrorEvent(1, "overloaded_error", "Overloaded", ANSWER));
        RecordingSink sink = run(claude());
        assertThat(sink.text()).isEqualTo("one ");
        assertThat(sink.failed().error().kind()).isEqualTo(ErrorKind.OVERLOADED);
        assertThat(sink.failed().error().getMessage()).contains("Overloaded");
        assertThat(anthropic.requests()).isEqualTo(1);
    }

    @Test
    void anErrorEventBeforeContentIsRetried() {
        anthropic.answerByDefault(ANSWER).enqueue(new ErrorEvent(0, "overloaded_error", "Overloaded", ANSWER));
        assertThat(run(claude()).text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(2);
    }

    // --- a caller that does not stream: the answer is asked for whole, so every fault comes before the commit point

    private static RecordingSink runUnstreamed(Backend backend) {
        RecordingSink sink = new RecordingSink();
        backend.start(Requests.streamedChat("claude-sonnet-4-5", "count to three").withStream(false).build(), sink);
        return sink.awaitEnd();
    }

    @Test
    void aWholeAnswerMayTakeLongerThanTheFirstByteTimeoutButNotThanTheReplyTimeout() {
        // Given an answer that is ready after 2 s, a first-byte timeout of 500 ms and a reply timeout of 20 s
        // (margins that hold on a machine ten times slower: the timeouts never race the fake's prompt answers)
        Resilience patient = Upstreams.fast().toBuilder()
                .withConnectTimeouts(1_000, 500)
                .withReplyTimeoutMs(20_000)
                .withCircuit(5, 300)
                .build();
        anthropic.answerByDefault(ANSWER).enqueue(new SlowFirstByte(Duration.ofSeconds(2), ANSWER));
        // Then a caller that waits for the whole answer gets it at the first attempt
        assertThat(runUnstreamed(claude(patient)).text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(1);
        // And with a reply timeout of 1.5 s the attempt on an answer ready after 10 s times out and the next one answers
        Resilience hasty = Upstreams.fast().toBuilder()
                .withConnectTimeouts(1_000, 20_000)
                .withReplyTimeoutMs(1_500)
                .withCircuit(5, 300)
                .build();
        anthropic.enqueue(new SlowFirstByte(Duration.ofSeconds(10), ANSWER));
        RecordingSink sink = runUnstreamed(claude(hasty));
        assertThat(sink.text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(3);
    }

    @Test
    void aWholeAnswerCutShortResetOrNotJsonIsRetriedInvisibly() {
        // Given a body that stops halfway and goes silent (idle timeout 1 s), one reset halfway, one that is not JSON
        anthropic.answerByDefault(ANSWER).enqueue(
                new StallMidStream(0, Duration.ofSeconds(3), ANSWER), new ResetMidStream(0, ANSWER), new MalformedJson(0, ANSWER));
        Resilience fourAttempts = Upstreams.fast().toBuilder().withMaxAttempts(4, 20_000).build();
        RecordingSink sink = runUnstreamed(claude(fourAttempts));
        // Then the fourth attempt answers and the caller sees one clean answer
        assertThat(anthropic.requests()).isEqualTo(4);
        assertThat(sink.text()).isEqualTo("one two three");
        assertThat(startedEvents(sink)).isEqualTo(1);
        assertThat(sink.events()).noneMatch(InferenceEvent.Failed.class::isInstance);
    }

    @Test
    void anErrorInAWholeAnswerKeepsItsKindAndIsRetriedWhenTransient() {
        anthropic.answerByDefault(ANSWER).enqueue(new ErrorEvent(0, "overloaded_error", "Overloaded", ANSWER));
        assertThat(runUnstreamed(claude()).text()).isEqualTo("one two three");
        assertThat(anthropic.requests()).isEqualTo(2);

        anthropic.enqueue(new ErrorEvent(0, "invalid_request_error", "max_tokens: too large", ANSWER));
        RecordingSink refused = runUnstreamed(claude());
        assertThat(refused.failed().error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(refused.failed().error().getMessage()).contains("max_tokens: too large");
        assertThat(anthropic.requests()).isEqualTo(3);
    }

    @Test
    void clientErrorsAreNotRetriedAndKeepTheUpstreamMessageWithoutTheKey() {
        anthropic.enqueue(new Status(400, "invalid_request_error",
                "messages.0: bad block (key " + anthropic.apiKey() + " was used)", Map.of()));
        RecordingSink sink = run(claude());
        assertThat(anthropic.requests()).isEqualTo(1);
        assertThat(sink.failed().error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(sink.failed().error().getMessage()).contains("messages.0: bad block").doesNotContain(anthropic.apiKey());
    }

    @Test
    void aSpendLimitIsNotRetried() {
        openai.enqueue(new Status(429, "insufficient_quota", "You exceeded your current quota, please check your plan and billing details.", Map.of()));
        RemoteBackend gpt = new RemoteBackend("openai", Upstreams.openai(openai, Upstreams.fast()), null);
        backends.add(gpt);
        RecordingSink sink = new RecordingSink();
        gpt.start(Requests.streamedChat("gpt-4o", "hi").build(), sink);
        assertThat(sink.awaitEnd().failed().error().kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(sink.failed().error().getMessage()).contains("exceeded your current quota");
        assertThat(openai.requests()).isEqualTo(1);
    }

    @Test
    void theCircuitOpensAfterRepeatedFailuresAndAHalfOpenProbeClosesIt() throws Exception {
        // Given one attempt per call, a circuit that opens after 2 failures and probes after 2 s (the third call
        // must come while it is open: 2 s hold for a machine ten times slower)
        Resilience r = Upstreams.fast().toBuilder().withMaxAttempts(1, 20_000).withCircuit(2, 2_000).build();
        RemoteBackend backend = claude(r);
        anthropic.answerByDefault(ANSWER).enqueue(new Status(500, "api_error", "boom", Map.of()), new Status(500, "api_error", "boom", Map.of()));
        run(backend);
        run(backend);
        assertThat(backend.circuitState()).isEqualTo(CircuitState.OPEN);
        // When a third call comes while open: it fails fast, without touching the upstream
        RecordingSink rejected = run(backend);
        assertThat(rejected.failed().error().kind()).isEqualTo(ErrorKind.OVERLOADED);
        assertThat(rejected.failed().error().getMessage()).contains("circuit open");
        assertThat(anthropic.connections()).isEqualTo(2);
        // Then after the delay a probe goes through and closes the circuit
        Thread.sleep(2_100); // the circuit's own delay: any longer sleep is as good
        assertThat(run(backend).text()).isEqualTo("one two three");
        // (the breaker records the success just after Finished reached the sink)
        Await.until(() -> backend.circuitState() == CircuitState.CLOSED, "a closed circuit");
    }

    @Test
    void theBulkheadBoundsConcurrentCalls() throws Exception {
        // Given at most one concurrent call, and one slow call in flight (3 s: the second call comes within them
        // on a machine ten times slower)
        Resilience r = Upstreams.fast().toBuilder()
                .withConnectTimeouts(1_000, 20_000)
                .withReplyTimeoutMs(20_000)
                .withCircuit(5, 300)
                .withMaxConcurrent(1)
                .build();
        RemoteBackend backend = claude(r);
        anthropic.enqueue(new SlowFirstByte(Duration.ofSeconds(3), ANSWER));
        RecordingSink slow = new RecordingSink();
        backend.start(Requests.streamedChat("claude-sonnet-4-5", "slow").build(), slow);
        for (int i = 0; i < 12_000 && anthropic.requests() < 1; i++) {
            Thread.sleep(5);
        }
        // When a second call comes: it is refused at once as overloaded, not queued nor sent
        RecordingSink second = run(backend);
        assertThat(second.failed().error().kind()).isEqualTo(ErrorKind.OVERLOADED);
        assertThat(second.failed().error().retryAfter()).as("a busy upstream says when to retry, as a busy engine does")
                .isNotNull().isPositive();
        assertThat(anthropic.requests()).isEqualTo(1);
        // And the first completes normally
        assertThat(slow.awaitEnd().text()).isEqualTo("one two three");
    }

    @Test
    void theBulkheadFreesItsSlotWhenACallEnds() {
        // Guards the bulkhead's bookkeeping: a slot is held for a call's life only, so more calls than
        // maxConcurrent, one after another, are all served.
        // Given at most two concurrent calls
        Resilience r = Upstreams.fast().toBuilder()
                .withConnectTimeouts(1_000, 3_000)
                .withReplyTimeoutMs(3_000)
                .withCircuit(5, 300)
                .withMaxConcurrent(2)
                .build();
        RemoteBackend backend = claude(r);
        anthropic.answerByDefault(ANSWER);
        // When ten calls run one after another, each ending before the next starts
        for (int i = 0; i < 10; i++) {
            // Then each is served
            RecordingSink sink = run(backend);
            assertThat(sink.events()).as("call %d", i).noneMatch(InferenceEvent.Failed.class::isInstance);
            assertThat(sink.text()).isEqualTo("one two three");
        }
        assertThat(anthropic.requests()).isEqualTo(10);
    }

    @Test
    void aCancelledCallFreesItsBulkheadSlot() throws Exception {
        // Guards the bulkhead's bookkeeping on cancellation: a call cancelled mid-stream (its client
        // went away) gives its slot back, so cancellations never use the upstream up.
        // Given at most two concurrent calls
        Resilience r = Upstreams.fast().toBuilder()
                .withConnectTimeouts(1_000, 3_000)
                .withIdleTimeoutMs(2_000)
                .withReplyTimeoutMs(3_000)
                .withCircuit(5, 300)
                .withMaxConcurrent(2)
                .build();
        RemoteBackend backend = claude(r);
        // When five calls are cancelled mid-stream, one after another
        for (int i = 0; i < 5; i++) {
            anthropic.enqueue(new Trickle(Duration.ofMillis(100), ANSWER));
            RecordingSink sink = new RecordingSink();
            Backend.Call call = backend.start(Requests.streamedChat("claude-sonnet-4-5", "count").build(), sink);
            sink.awaitText();
            call.cancel();
        }
        // Then the next call is served
        anthropic.answerByDefault(ANSWER);
        RecordingSink next = run(backend);
        assertThat(next.events()).noneMatch(InferenceEvent.Failed.class::isInstance);
        assertThat(next.text()).isEqualTo("one two three");
    }

    @Test
    void cancelStopsTheStream() throws Exception {
        // Given a stream that lasts seconds after its first text (frames 500 ms apart, idle timeout 5 s)
        anthropic.enqueue(new Trickle(Duration.ofMillis(500), ANSWER));
        RecordingSink sink = new RecordingSink();
        RemoteBackend patient = claude(Upstreams.fast().toBuilder().withIdleTimeoutMs(5_000).build());
        Backend.Call call = patient.start(Requests.streamedChat("claude-sonnet-4-5", "count").build(), sink);
        sink.awaitText();
        call.cancel();
        int seen = sink.events().size();
        Thread.sleep(1_200); // two more frames would have come
        assertThat(sink.events()).hasSize(seen);
        assertThat(sink.ended()).isFalse();
    }

    @Test
    void cancelDuringABackoffMeansNoFurtherAttempt() throws Exception {
        // Given a 503 whose retry would come after 2 s (the cancel comes within them on a machine ten times slower)
        Resilience r = Upstreams.fast().toBuilder().withBackoff(2_000, 2_000, 0.0).build();
        anthropic.answerByDefault(ANSWER).enqueue(new Status(503, "api_error", "unavailable", Map.of()));
        RecordingSink sink = new RecordingSink();
        Backend.Call call = claude(r).start(Requests.streamedChat("claude-sonnet-4-5", "count").build(), sink);
        for (int i = 0; i < 12_000 && anthropic.requests() < 1; i++) {
            Thread.sleep(5);
        }
        // When the client goes away during the backoff
        Thread.sleep(50);
        call.cancel();
        Thread.sleep(2_500); // past the backoff: a retry would have been sent by now
        // Then the retry never happens and nothing reaches the sink
        assertThat(anthropic.requests()).isEqualTo(1);
        assertThat(sink.events()).isEmpty();
    }
}
