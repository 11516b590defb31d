package dev.tandem.server.remote;

import dev.failsafe.ExecutionContext;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.CommitGate;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.LogContext;
import dev.tandem.server.remote.UpstreamPolicies.Outcome;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One remote upstream as a {@link Backend}, composed of its jobs: the {@link WireFormat} it speaks,
 * one {@link UpstreamAttempt} per HTTP exchange (with its idle watchdog), and the Failsafe policies
 * around them ({@link UpstreamPolicies}: retry, circuit breaker, bulkhead). A streaming caller's
 * request is streamed upstream; a non-streaming caller's is asked for whole (one JSON body instead of
 * an event per token) and translated into the same events, unless its max_tokens exceeds
 * {@link Resilience#wholeReplyMaxTokens()}: a long generation is streamed, so that silences, not its
 * length, time it out.
 *
 * <p>Each attempt's events pass a {@link CommitGate}: until the first content, a failed attempt is
 * retried without the client seeing anything; after it, a failure ends the stream as
 * {@link InferenceEvent.Failed} and is never retried.
 */
public final class RemoteBackend implements Backend, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemoteBackend.class);

    private final Upstream upstream;
    private final WireFormat wire;
    private final ToIntFunction<InferenceRequest> promptCounter;
    private final ExecutorService ioThreads;
    private final ScheduledExecutorService timers;
    private final HttpClient http;
    private final UpstreamPolicies policies;

    /**
     * @param name the upstream's name (what Started and errors say)
     * @param promptCounter counts a request's prompt tokens for Started when the upstream says only at
     *     the end; null for {@link PromptEstimate}
     */
    public RemoteBackend(String name, RemoteConfig config, ToIntFunction<InferenceRequest> promptCounter) {
        this.upstream = Upstream.of(name, config);
        this.wire = WireFormat.FORMATS.get(config.format()).apply(upstream);
        this.promptCounter = promptCounter != null ? promptCounter : PromptEstimate::tokens;
        this.ioThreads = Executors.newCachedThreadPool(daemon(name + "-io"));
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon(name + "-timer"));
        timer.setRemoveOnCancelPolicy(true); // every call cancels its idle watchdog: do not keep them queued
        this.timers = timer;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.resilience().connectTimeout())
                .version(config.baseUrl().toLowerCase(Locale.ROOT).startsWith("https") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .executor(ioThreads)
                .build();
        this.policies = new UpstreamPolicies(name, config.resilience(), timers);
    }

    @Override
    public String name() {
        return upstream.name();
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        if (request.input() instanceof Input.Completion) {
            return Optional.of("legacy text completions are served by the local model only");
        }
        if (request.topLogprobs() != null) {
            return Optional.of("logprobs are served by the local model only");
        }
        String essential = request.passthrough().essentialFieldFor(wire.dialect());
        if (essential != null) {
            return Optional.of("'" + essential + "' is honoured by an upstream of the " + request.passthrough().dialect().name().toLowerCase(Locale.ROOT)
                    + " dialect only");
        }
        return wire.cannotServe(request);
    }

    /** For metrics. */
    public CircuitState circuitState() {
        return policies.circuitState();
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        Optional<String> cannot = cannotServe(request);
        if (cannot.isPresent()) {
            throw ApiException.invalid(null, "The " + name() + " backend cannot serve this request: " + cannot.get() + ".");
        }
        RemoteCall call = new RemoteCall(request, sink);
        call.begin();
        return call;
    }

    @Override
    public void close() {
        timers.shutdownNow();
        ioThreads.shutdownNow();
    }

    /** The configured counter, or the estimate when it cannot count now (e.g. the local model is still loading). */
    private int countPrompt(InferenceRequest request) {
        try {
            return promptCounter.applyAsInt(request);
        } catch (RuntimeException cannotCount) {
            return PromptEstimate.tokens(request);
        }
    }

    /**
     * One request, across its attempts. Every decision (commit, retry, emit, cancel) is taken under
     * this object's lock; the attempts only report.
     */
    private final class RemoteCall implements Call {
        private final InferenceRequest request;
        private final Consumer<InferenceEvent> sink;
        private final String model;
        private final int estimatedInput;
        private final boolean stream;
        private final AtomicInteger attempts = new AtomicInteger();
        private volatile boolean cancelled;
        private volatile Attempt current;
        private volatile CompletableFuture<Outcome> execution;

        RemoteCall(InferenceRequest request, Consumer<InferenceEvent> sink) {
            this.request = request;
            this.sink = sink;
            this.model = upstream.model(request.model());
            this.estimatedInput = countPrompt(request);
            this.stream = request.stream() || request.maxTokens() > upstream.config().resilience().wholeReplyMaxTokens();
        }

        void begin() {
            execution = policies.executor().getStageAsync(this::attempt);
            execution.whenComplete((outcome, error) -> {
                if (error != null && !cancelled) {
                    ApiException api = UpstreamErrors.forCaller(name(), error, policies);
                    log.warn("{} request {} failed: {}", name(), request.requestId(), api.getMessage());
                    emit(new InferenceEvent.Failed(api));
                }
            });
        }

        private CompletableFuture<Outcome> attempt(ExecutionContext<Outcome> ctx) {
            Attempt attempt = new Attempt(attempts.incrementAndGet(), ctx);
            current = attempt;
            ctx.onCancel(attempt::abort);
            long t0 = System.nanoTime();
            CompletableFuture<Outcome> result = attempt.exchange.run(http);
            if (log.isDebugEnabled()) {
                result.whenComplete((outcome, error) -> logAttempt(attempt, t0, outcome, error));
            }
            return result;
        }

        /** One line per attempt: upstream, number, status or error, duration (the error text is scrubbed of keys). */
        private void logAttempt(Attempt attempt, long t0, Outcome outcome, Throwable error) {
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            int status = attempt.exchange.status();
            String what = error == null ? outcome.name().toLowerCase(Locale.ROOT)
                    : "failed: " + (error instanceof UpstreamFailure f ? f.getMessage() : error.getClass().getSimpleName());
            LogContext.withRequestId(request.requestId(), () -> log.debug("request {}: {} attempt {}: {}{} in {} ms",
                    request.requestId(), name(), attempt.number, status == 0 ? "no answer, " : "HTTP " + status + ", ", what, ms));
        }

        synchronized void emit(InferenceEvent event) {
            if (!cancelled) {
                sink.accept(event);
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            Attempt a = current;
            if (a != null) {
                a.abort();
            }
            CompletableFuture<Outcome> e = execution;
            if (e != null) {
                e.cancel(false);
            }
        }

        /** One attempt: its exchange, and the commit gate its translated events pass. */
        private final class Attempt implements UpstreamAttempt.Listener {
            private final int number;
            private final ExecutionContext<Outcome> ctx;
            private final CommitGate gate;
            private final UpstreamAttempt exchange;

            Attempt(int number, ExecutionContext<Outcome> ctx) {
                this.number = number;
                this.ctx = ctx;
                this.gate = new CommitGate(RemoteCall.this::emit,
                        held -> held != null ? held : new InferenceEvent.Started(name(), model, estimatedInput));
                Resilience r = upstream.config().resilience();
                Duration headersTimeout = stream ? r.firstByteTimeout() : r.replyTimeout(); // whole: the headers come with the answer
                BodyReader body = stream
                        ? BodyReader.events(wire.translator(model, estimatedInput, this::translated))
                        : BodyReader.reply(name(), reply -> wire.translateReply(reply, model, estimatedInput, this::translated));
                HttpRequest httpRequest = wire.request(request, model, stream)
                        .timeout(headersTimeout)
                        .header("x-request-id", request.requestId())
                        .build();
                this.exchange = new UpstreamAttempt(upstream, httpRequest, body, headersTimeout, timers, this);
            }

            /** A translated event: through the commit gate. */
            private void translated(InferenceEvent event) {
                synchronized (RemoteCall.this) {
                    if (exchange.done() || cancelled) {
                        return;
                    }
                    gate.pass(event);
                    if (event instanceof InferenceEvent.Finished) {
                        exchange.finish(Outcome.FINISHED);
                    }
                }
            }

            /** Before the commit point a failure goes to the retry policy; after it, to the client. */
            @Override
            public void failed(UpstreamAttempt attempt, UpstreamFailure failure) {
                synchronized (RemoteCall.this) {
                    if (attempt.done()) {
                        return;
                    }
                    if (cancelled) {
                        attempt.finish(Outcome.CANCELLED);
                        return;
                    }
                    if (gate.committed()) {
                        log.warn("{} request {} failed mid-stream: {}", name(), request.requestId(), failure.getMessage());
                        emit(new InferenceEvent.Failed(failure.error()));
                        attempt.finish(Outcome.FAILED_AFTER_COMMIT);
                        return;
                    }
                    attempt.fail(failure.withRetryDelay(policies.retryDelay(failure, number, ctx.getElapsedTime())));
                }
            }

            void abort() {
                synchronized (RemoteCall.this) {
                    gate.close();
                    exchange.finish(Outcome.CANCELLED);
                }
            }
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
