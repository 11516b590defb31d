package dev.tandem.server.remote;

import dev.tandem.server.core.ErrorKind;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP exchange with an upstream and its idle watchdog: sends the request, reads a 2xx body line
 * by line into its {@link BodyReader}, turns a non-2xx answer, a transport failure or a silence longer
 * than the idle timeout into an {@link UpstreamFailure}. It decides nothing: what its lines mean and
 * what a failure means for the call are the {@link Listener}'s, which ends the attempt with
 * {@link #finish} or {@link #fail}.
 */
final class UpstreamAttempt implements Flow.Subscriber<String> {

    /** Told what the exchange brings; it ends the attempt. */
    interface Listener {
        /** The exchange failed in a way the attempt could see (status, transport, silence, unreadable body). */
        void failed(UpstreamAttempt attempt, UpstreamFailure failure);
    }

    private final String upstream;
    private final HttpRequest request;
    private final BodyReader body;
    private final Duration headersTimeout;
    private final long idleTimeoutMs;
    private final KeyScrubber scrubber;
    private final ScheduledExecutorService timers;
    private final Listener listener;
    private final CompletableFuture<UpstreamPolicies.Outcome> result = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile long lastActivity = System.nanoTime();
    private volatile int status; // 0 until the headers come
    private volatile ScheduledFuture<?> watchdog;

    /**
     * @param body reads the 2xx body's lines (an event stream, or one JSON answer)
     * @param headersTimeout how long the response headers may take
     */
    UpstreamAttempt(Upstream upstream, HttpRequest request, BodyReader body, Duration headersTimeout, ScheduledExecutorService timers,
            Listener listener) {
        this.upstream = upstream.name();
        this.request = request;
        this.body = body;
        this.headersTimeout = headersTimeout;
        this.idleTimeoutMs = upstream.config().resilience().idleTimeoutMs();
        this.scrubber = upstream.scrubber();
        this.timers = timers;
        this.listener = listener;
    }

    /** Sends the request; the future completes when the attempt ends (normally or exceptionally, for the retry policy). */
    CompletableFuture<UpstreamPolicies.Outcome> run(HttpClient http) {
        http.sendAsync(request, this::onHeaders).whenComplete((response, error) -> {
            if (error != null) {
                listener.failed(this, UpstreamErrors.fromTransport(upstream, error, headersTimeout));
            }
        });
        return result;
    }

    boolean done() {
        return result.isDone();
    }

    /** The HTTP status of the answer; 0 while (or when) no headers came. */
    int status() {
        return status;
    }

    /**
     * Ends the attempt. A finished answer leaves the rest of the body (the end-of-stream marker, the
     * last chunk) to drain, so that the HTTP client can reuse the connection: cancelling here would
     * close it, and the next request would pay a new TCP and TLS handshake. The watchdog stays until
     * the body ends.
     */
    void finish(UpstreamPolicies.Outcome outcome) {
        if (outcome != UpstreamPolicies.Outcome.FINISHED) {
            stop();
        }
        result.complete(outcome);
    }

    /** Ends the attempt with a failure for the retry policy; the connection is given up. */
    void fail(UpstreamFailure failure) {
        stop();
        result.completeExceptionally(failure);
    }

    /** Headers arrived: the first byte. A 2xx body is read line by line; anything else is an error body. */
    private HttpResponse.BodySubscriber<Void> onHeaders(HttpResponse.ResponseInfo info) {
        lastActivity = System.nanoTime();
        status = info.statusCode();
        if (info.statusCode() / 100 == 2) {
            long period = Math.max(5, idleTimeoutMs / 4);
            watchdog = timers.scheduleAtFixedRate(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
            return HttpResponse.BodySubscribers.fromLineSubscriber(this, s -> null, StandardCharsets.UTF_8, null);
        }
        return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8), text -> {
            listener.failed(this, UpstreamErrors.fromResponse(upstream, info.statusCode(), text, info.headers(), scrubber));
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
            listener.failed(this, f);
        } catch (RuntimeException unreadable) {
            listener.failed(this, UpstreamErrors.transport(upstream, ErrorKind.UPSTREAM,
                    "unreadable reply (" + unreadable.getClass().getSimpleName() + ")"));
        }
    }

    @Override
    public void onError(Throwable t) {
        if (result.isDone()) {
            stopWatchdog();
            return;
        }
        listener.failed(this, UpstreamErrors.fromTransport(upstream, t, headersTimeout));
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
            listener.failed(this, f);
        } catch (RuntimeException unreadable) {
            listener.failed(this, UpstreamErrors.transport(upstream, ErrorKind.UPSTREAM, "unreadable reply"));
        }
    }

    private void checkIdle() {
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivity);
        if (silentMs > idleTimeoutMs) {
            if (result.isDone()) {
                stop(); // answered, but the body never ended: give up the connection
            } else {
                listener.failed(this, UpstreamErrors.transport(upstream, ErrorKind.TIMEOUT, "no data for " + silentMs + " ms"));
            }
        }
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
