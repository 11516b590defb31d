package dev.tandem.server.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.failsafe.Bulkhead;
import dev.failsafe.BulkheadFullException;
import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.ExecutionContext;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A remote API as a {@link Backend}, through Failsafe — retry, then circuit breaker, then bulkhead.
 * A streaming caller's request is streamed upstream; a non-streaming caller's is asked for whole, as
 * the caller asked (one JSON body to read instead of an event per token), and translated into the
 * same events — unless its max_tokens exceeds {@link Resilience#wholeReplyMaxTokens()}: a long
 * generation is streamed, so that silences, not its length, are what times it out.
 *
 * <p>The commit point: the first text or tool-call delta forwarded to the sink. Until then the
 * Started event is held back, so a failed attempt can be retried (or the router can fall back)
 * without the client seeing anything. After it, a failure ends the stream as
 * {@link InferenceEvent.Failed} and is never retried.
 */
public abstract class RemoteBackend implements Backend, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemoteBackend.class);
    /** A full bulkhead knows no ETA; a call usually ends within seconds, so the caller may try again soon. */
    private static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);

    /** How an attempt ended, as far as Failsafe is concerned. */
    enum Outcome {
        FINISHED,
        /** Failed after the commit point: not retried, but a failure to the circuit breaker. */
        FAILED_AFTER_COMMIT,
        CANCELLED
    }

    private final String name;
    protected final RemoteConfig config;
    protected final KeyScrubber scrubber;
    private final ToIntFunction<InferenceRequest> promptCounter;
    private final RetrySchedule schedule;
    private final ExecutorService ioThreads;
    private final ScheduledExecutorService timers;
    private final HttpClient http;
    private final CircuitBreaker<Outcome> breaker;
    private final FailsafeExecutor<Outcome> failsafe;

    /**
     * @param promptCounter counts a request's prompt tokens for Started when the upstream says only
     *     at the end; null for {@link PromptEstimate}
     */
    protected RemoteBackend(String name, RemoteConfig config, ToIntFunction<InferenceRequest> promptCounter) {
        if (config.baseUrl() == null) {
            throw new IllegalArgumentException(name + ": baseUrl is required");
        }
        this.name = name;
        this.config = config;
        this.scrubber = new KeyScrubber(config.apiKey());
        this.promptCounter = promptCounter != null ? promptCounter : PromptEstimate::tokens;
        Resilience r = config.resilience();
        this.schedule = new RetrySchedule(r);
        this.ioThreads = Executors.newCachedThreadPool(daemon(name + "-io"));
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon(name + "-timer"));
        timer.setRemoveOnCancelPolicy(true); // every call cancels its idle watchdog: do not keep them queued
        this.timers = timer;
        this.http = HttpClient.newBuilder()
                .connectTimeout(r.connectTimeout())
                .version(config.baseUrl().toLowerCase(Locale.ROOT).startsWith("https") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .executor(ioThreads)
                .build();
        RetryPolicy<Outcome> retry = RetryPolicy.<Outcome>builder()
                .handleIf(e -> e instanceof UpstreamFailure f && f.retryDelay() != null)
                .withMaxAttempts(r.maxAttempts())
                .withDelayFn(ctx -> ((UpstreamFailure) ctx.getLastException()).retryDelay())
                .onRetryScheduled(e -> log.warn("{} attempt {} failed ({}); retrying in {} ms", name, e.getAttemptCount(),
                        e.getLastException().getMessage(), e.getDelay().toMillis()))
                .build();
        this.breaker = CircuitBreaker.<Outcome>builder()
                .handleIf((outcome, e) -> outcome == Outcome.FAILED_AFTER_COMMIT
                        || e instanceof UpstreamFailure f && f.transientFailure())
                .withFailureThreshold(r.circuitFailures())
                .withDelay(Duration.ofMillis(r.circuitOpenMs()))
                .withSuccessThreshold(1)
                .onOpen(e -> log.warn("{} circuit breaker open after repeated failures", name))
                .onHalfOpen(e -> log.info("{} circuit breaker half-open: probing", name))
                .onClose(e -> log.info("{} circuit breaker closed", name))
                .build();
        Bulkhead<Outcome> bulkhead = Bulkhead.<Outcome>builder(r.maxConcurrent()).build();
        this.failsafe = Failsafe.with(retry, breaker, bulkhead).with(new InlineFirstScheduler(timers));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        if (request.input() instanceof Input.Completion) {
            return Optional.of("legacy text completions are served by the local model only");
        }
        if (request.topLogprobs() != null) {
            return Optional.of("logprobs are served by the local model only");
        }
        return Optional.empty();
    }

    /** For metrics. */
    public CircuitState circuitState() {
        return CircuitState.valueOf(breaker.getState().name());
    }

    /** The upstream model for {@code requested}: itself when this upstream serves it, else the default. */
    protected String upstreamModel(String requested) {
        return config.serves(requested) || config.defaultModel() == null ? requested : config.defaultModel();
    }

    protected URI endpoint(String path) {
        String base = config.baseUrl().endsWith("/") ? config.baseUrl().substring(0, config.baseUrl().length() - 1) : config.baseUrl();
        return URI.create(base + path);
    }

    /** A POST of {@code body} to the upstream's {@code path}, asking for an event stream or one JSON answer; auth is the caller's to add. */
    protected HttpRequest.Builder post(String path, JsonNode body, boolean stream) {
        return HttpRequest.newBuilder(endpoint(path))
                .header("content-type", "application/json")
                .header("accept", stream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }

    /** The configured API key, unless none is set (a keyless OpenAI-compatible host). */
    protected Optional<String> apiKey() {
        return Optional.ofNullable(config.apiKey()).filter(k -> !k.isBlank());
    }

    /** True when {@code request} is streamed from the upstream; false: its answer is asked for whole. */
    private boolean streamsUpstream(InferenceRequest request) {
        return request.stream() || request.maxTokens() > config.resilience().wholeReplyMaxTokens();
    }

    /**
     * The upstream HTTP request (URI, auth headers, JSON body) for {@code request} sent to {@code model},
     * asking for a stream or for the whole answer.
     */
    protected abstract HttpRequest.Builder prepare(InferenceRequest request, String model, boolean stream);

    /** A translator for one attempt's stream; it emits to {@code out}. */
    abstract StreamTranslator translator(InferenceRequest request, int estimatedInputTokens, Consumer<InferenceEvent> out);

    /**
     * Emits a non-streamed answer as the events its stream would have given: Started, the deltas,
     * Finished. Throws {@link UpstreamFailure} when the reply is an error or cannot be read.
     */
    abstract void translateReply(JsonNode reply, InferenceRequest request, int estimatedInputTokens, Consumer<InferenceEvent> out);

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        Optional<String> cannot = cannotServe(request);
        if (cannot.isPresent()) {
            throw ApiException.invalid(null, "The " + name + " backend cannot serve this request: " + cannot.get() + ".");
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

    /** One request, across its attempts. */
    private final class RemoteCall implements Call {
        private final InferenceRequest request;
        private final Consumer<InferenceEvent> sink;
        private final String model;
        private final int estimatedInput;
        private final AtomicInteger attempts = new AtomicInteger();
        private volatile boolean committed;
        private volatile boolean cancelled;
        private volatile Attempt current;
        private volatile CompletableFuture<Outcome> execution;

        RemoteCall(InferenceRequest request, Consumer<InferenceEvent> sink) {
            this.request = request;
            this.sink = sink;
            this.model = upstreamModel(request.model());
            this.estimatedInput = countPrompt(request);
        }

        void begin() {
            execution = failsafe.getStageAsync(this::attempt);
            execution.whenComplete((outcome, error) -> {
                if (error != null && !cancelled) {
                    ApiException api = toApiException(error);
                    log.warn("{} request {} failed: {}", name, request.requestId(), api.getMessage());
                    emit(new InferenceEvent.Failed(api));
                }
            });
        }

        private CompletableFuture<Outcome> attempt(ExecutionContext<Outcome> ctx) {
            Attempt attempt = new Attempt(this, attempts.incrementAndGet(), ctx);
            current = attempt;
            ctx.onCancel(attempt::abort);
            return attempt.run();
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
    }

    /** One HTTP exchange with the upstream. */
    private final class Attempt implements Flow.Subscriber<String> {
        private final RemoteCall call;
        private final int number;
        private final ExecutionContext<Outcome> ctx;
        private final CompletableFuture<Outcome> result = new CompletableFuture<>();
        private final boolean stream;
        private final BodyReader body;
        private final Duration headersTimeout;
        private InferenceEvent.Started started;
        private volatile Flow.Subscription subscription;
        private volatile long lastActivity = System.nanoTime();
        private volatile ScheduledFuture<?> watchdog;

        Attempt(RemoteCall call, int number, ExecutionContext<Outcome> ctx) {
            this.call = call;
            this.number = number;
            this.ctx = ctx;
            this.stream = streamsUpstream(call.request);
            if (stream) {
                this.body = BodyReader.events(translator(call.request, call.estimatedInput, this::onTranslated));
                this.headersTimeout = config.resilience().firstByteTimeout();
            } else {
                this.body = BodyReader.reply(name, reply -> translateReply(reply, call.request, call.estimatedInput, this::onTranslated));
                this.headersTimeout = config.resilience().replyTimeout(); // the headers come with the whole answer
            }
        }

        CompletableFuture<Outcome> run() {
            HttpRequest httpRequest = prepare(call.request, call.model, stream)
                    .timeout(headersTimeout)
                    .header("x-request-id", call.request.requestId())
                    .build();
            http.sendAsync(httpRequest, this::onHeaders).whenComplete((response, error) -> {
                if (error != null) {
                    fail(transportFailure(error, headersTimeout));
                }
            });
            return result;
        }

        /** Headers arrived: the first byte. A 2xx body is read line by line; anything else is an error body. */
        private HttpResponse.BodySubscriber<Void> onHeaders(HttpResponse.ResponseInfo info) {
            lastActivity = System.nanoTime();
            if (info.statusCode() / 100 == 2) {
                long period = Math.max(5, config.resilience().idleTimeoutMs() / 4);
                watchdog = timers.scheduleAtFixedRate(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
                return HttpResponse.BodySubscribers.fromLineSubscriber(this, s -> null, StandardCharsets.UTF_8, null);
            }
            return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8), body -> {
                fail(UpstreamErrors.fromResponse(name, info.statusCode(), body, info.headers(), scrubber));
                return null;
            });
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (result.isDone()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(String line) {
            lastActivity = System.nanoTime();
            if (result.isDone()) {
                return;
            }
            try {
                body.line(line);
            } catch (UpstreamFailure f) {
                fail(f);
            } catch (RuntimeException unreadable) {
                fail(UpstreamErrors.transport(name, ErrorKind.UPSTREAM, "unreadable reply (" + unreadable.getClass().getSimpleName() + ")"));
            }
        }

        @Override
        public void onError(Throwable t) {
            if (result.isDone()) {
                stopWatchdog();
                return;
            }
            fail(transportFailure(t, headersTimeout));
        }

        @Override
        public void onComplete() {
            if (result.isDone()) {
                stopWatchdog(); // the body after the last event has drained: the connection goes back to the pool
                return;
            }
            try {
                body.end();
            } catch (UpstreamFailure f) {
                fail(f);
            } catch (RuntimeException unreadable) {
                fail(UpstreamErrors.transport(name, ErrorKind.UPSTREAM, "unreadable reply"));
            }
        }

        private void checkIdle() {
            long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivity);
            if (silentMs > config.resilience().idleTimeoutMs()) {
                if (result.isDone()) {
                    stop(); // answered, but the body never ended: give up the connection
                } else {
                    fail(UpstreamErrors.transport(name, ErrorKind.TIMEOUT, "no data for " + silentMs + " ms"));
                }
            }
        }

        /** Translated events pass through the commit gate. */
        private void onTranslated(InferenceEvent event) {
            synchronized (call) {
                if (result.isDone() || call.cancelled) {
                    return;
                }
                if (event instanceof InferenceEvent.Started s) {
                    started = s;
                    return;
                }
                if (!call.committed) {
                    call.committed = true;
                    call.emit(started != null ? started : new InferenceEvent.Started(name, call.model, call.estimatedInput));
                }
                call.emit(event);
                if (event instanceof InferenceEvent.Finished) {
                    finish(Outcome.FINISHED);
                }
            }
        }

        /** Before the commit point a failure goes to the retry policy; after it, to the client. */
        void fail(UpstreamFailure failure) {
            synchronized (call) {
                if (result.isDone()) {
                    return;
                }
                if (call.cancelled) {
                    finish(Outcome.CANCELLED);
                    return;
                }
                if (call.committed) {
                    log.warn("{} request {} failed mid-stream: {}", name, call.request.requestId(), failure.getMessage());
                    call.emit(new InferenceEvent.Failed(failure.error()));
                    finish(Outcome.FAILED_AFTER_COMMIT);
                    return;
                }
                failure.withRetryDelay(schedule.next(failure, number, ctx.getElapsedTime()));
                stop();
                result.completeExceptionally(failure);
            }
        }

        void abort() {
            synchronized (call) {
                finish(Outcome.CANCELLED);
            }
        }

        /**
         * A finished answer leaves the rest of the body (the end-of-stream marker, the last chunk) to
         * drain, so that the HTTP client can reuse the connection: cancelling here would close it, and
         * the next request would pay a new TCP and TLS handshake. The watchdog stays until the body ends.
         */
        private void finish(Outcome outcome) {
            if (outcome != Outcome.FINISHED) {
                stop();
            }
            result.complete(outcome);
        }

        private void stop() {
            stopWatchdog();
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        private void stopWatchdog() {
            ScheduledFuture<?> w = watchdog;
            if (w != null) {
                w.cancel(false);
            }
        }
    }

    /** The configured counter, or the estimate when it cannot count now (e.g. the local model is still loading). */
    private int countPrompt(InferenceRequest request) {
        try {
            return promptCounter.applyAsInt(request);
        } catch (RuntimeException cannotCount) {
            return PromptEstimate.tokens(request);
        }
    }

    private UpstreamFailure transportFailure(Throwable t, Duration headersTimeout) {
        Throwable cause = t instanceof CompletionException || t instanceof ExecutionException ? t.getCause() : t;
        if (cause instanceof UpstreamFailure f) {
            return f;
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return UpstreamErrors.transport(name, ErrorKind.TIMEOUT, "connect timed out");
        }
        if (cause instanceof HttpTimeoutException) {
            return UpstreamErrors.transport(name, ErrorKind.TIMEOUT, "no response within " + headersTimeout.toMillis() + " ms");
        }
        if (cause instanceof ConnectException) {
            return UpstreamErrors.transport(name, ErrorKind.UPSTREAM, "cannot connect");
        }
        if (cause instanceof IOException) {
            return UpstreamErrors.transport(name, ErrorKind.UPSTREAM, "connection lost (" + cause.getClass().getSimpleName() + ")");
        }
        return UpstreamErrors.transport(name, ErrorKind.UPSTREAM, "request failed (" + cause.getClass().getSimpleName() + ")");
    }

    private ApiException toApiException(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof UpstreamFailure f) {
            return f.error();
        }
        if (cause instanceof CircuitBreakerOpenException) {
            return new ApiException(ErrorKind.OVERLOADED, name + " upstream unavailable: circuit open after repeated failures",
                    null, breaker.getRemainingDelay(), null);
        }
        if (cause instanceof BulkheadFullException) {
            return new ApiException(ErrorKind.OVERLOADED, name + " upstream busy: " + config.resilience().maxConcurrent()
                    + " concurrent calls already", null, BUSY_RETRY_AFTER, null);
        }
        if (cause instanceof ApiException api) {
            return api;
        }
        return new ApiException(ErrorKind.UPSTREAM, name + " upstream: request failed (" + cause.getClass().getSimpleName() + ")");
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
