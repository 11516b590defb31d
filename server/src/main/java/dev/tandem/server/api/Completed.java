package dev.tandem.server.api;

import dev.tandem.models.GenerationEvent.TokenLogprob;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One choice, gathered whole for a non-streaming response; {@code thinking}: the upstream's thinking
 * blocks, which come before the text and the tool calls.
 */
public record Completed(InferenceEvent.Started started, String text, List<TokenLogprob> logprobs, InferenceEvent.Finished finished,
        List<ToolCalls.Call> toolCalls, List<Content.Thinking> thinking) {

    public Completed {
        logprobs = List.copyOf(logprobs);
        toolCalls = List.copyOf(toolCalls);
        thinking = List.copyOf(thinking);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().withStarted(started).withText(text).withLogprobs(logprobs).withFinished(finished)
                .withToolCalls(toolCalls).withThinking(thinking);
    }

    public static final class Builder {
        private InferenceEvent.Started started;
        private String text = "";
        private List<TokenLogprob> logprobs = List.of();
        private InferenceEvent.Finished finished;
        private List<ToolCalls.Call> toolCalls = List.of();
        private List<Content.Thinking> thinking = List.of();

        private Builder() {}

        public Builder withStarted(InferenceEvent.Started v) {
            started = v;
            return this;
        }

        public Builder withText(String v) {
            text = v;
            return this;
        }

        public Builder withLogprobs(List<TokenLogprob> v) {
            logprobs = v;
            return this;
        }

        public Builder withFinished(InferenceEvent.Finished v) {
            finished = v;
            return this;
        }

        public Builder withToolCalls(List<ToolCalls.Call> v) {
            toolCalls = v;
            return this;
        }

        public Builder withThinking(List<Content.Thinking> v) {
            thinking = v;
            return this;
        }

        public Completed build() {
            return new Completed(started, text, logprobs, finished, toolCalls, thinking);
        }
    }

    /**
     * Starts every request and gathers their answers; the future completes, on the thread that
     * delivers the last event, when every call has finished. No thread waits meanwhile: the HTTP
     * handler hands the future to Javalin, which writes the response on completion (one context
     * switch less per request, and no server thread held for the length of a generation). If a
     * call is refused at start, the ones already started are cancelled and the refusal thrown; the
     * first failure later cancels the others and fails the future: a non-streaming response is all
     * or nothing.
     *
     * <p>A client that goes away meanwhile is not noticed: Jetty 12 does not read a connection while
     * its request is handled (no fill interest once the body is consumed), so neither
     * {@code EndPoint.isOpen()} nor the request's failure listeners change until a write fails
     * (checked on Jetty 12.1.12). The generation runs to its end (at most max_tokens) and the
     * response write then fails; streams, which write, cancel at their next frame or ping.
     */
    public static CompletableFuture<List<Completed>> gather(Backend backend, List<InferenceRequest> requests) {
        Gathering g = new Gathering(requests.size());
        try {
            for (int i = 0; i < requests.size() && !g.result.isCompletedExceptionally(); i++) {
                int index = i;
                g.add(backend.start(requests.get(i), event -> g.accept(index, event)));
            }
        } catch (RuntimeException e) {
            g.cancelAll();
            throw e;
        }
        if (g.result.isCompletedExceptionally()) {
            g.cancelAll(); // one failed while the others were starting
        }
        return g.result;
    }

    /**
     * Hands the gathered answer to Javalin, which calls {@code respond} and writes the response when
     * it is complete (a failure goes to the exception mapper, in the caller's dialect). The handler's
     * thread returns to the pool at once.
     */
    public static void respondWhenDone(Context ctx, CompletableFuture<List<Completed>> done, Consumer<List<Completed>> respond) {
        ctx.future(() -> done.thenAccept(respond));
        RequestIds.release(ctx); // this thread leaves before the answer is written
    }

    /** The answers of one request's calls as their events arrive. */
    private static final class Gathering {
        private final int n;
        private final InferenceEvent.Started[] started;
        private final StringBuilder[] text;
        private final List<List<TokenLogprob>> logprobs = new ArrayList<>();
        private final InferenceEvent.Finished[] finished;
        private final ToolCalls[] toolCalls;
        private final ThinkingBlocks[] thinking;
        private final List<Backend.Call> calls = new ArrayList<>();
        private final CompletableFuture<List<Completed>> result = new CompletableFuture<>();
        private int ended;
        private boolean over;

        Gathering(int n) {
            this.n = n;
            started = new InferenceEvent.Started[n];
            text = new StringBuilder[n];
            finished = new InferenceEvent.Finished[n];
            toolCalls = new ToolCalls[n];
            thinking = new ThinkingBlocks[n];
            for (int i = 0; i < n; i++) {
                text[i] = new StringBuilder();
                toolCalls[i] = new ToolCalls();
                thinking[i] = new ThinkingBlocks();
                logprobs.add(new ArrayList<>());
            }
        }

        synchronized void add(Backend.Call call) {
            calls.add(call);
        }

        void accept(int i, InferenceEvent event) {
            List<Completed> all = null;
            ApiException failure = null;
            synchronized (this) {
                if (over) {
                    return;
                }
                if (event instanceof InferenceEvent.Started s) {
                    started[i] = s;
                } else if (event instanceof InferenceEvent.TextDelta d) {
                    text[i].append(d.text());
                    if (d.logprob() != null) {
                        logprobs.get(i).add(d.logprob());
                    }
                } else if (event instanceof InferenceEvent.ToolCallDelta d) {
                    toolCalls[i].add(d);
                } else if (event instanceof InferenceEvent.ThinkingDelta d) {
                    thinking[i].add(d);
                } else if (event instanceof InferenceEvent.Finished f) {
                    finished[i] = f;
                    if (++ended == n) {
                        over = true;
                        all = completed();
                    }
                } else if (event instanceof InferenceEvent.Failed f) {
                    over = true;
                    failure = f.error();
                }
            }
            // outside the lock: completing runs the response write, cancelling may call back
            if (failure != null) {
                cancelAll();
                result.completeExceptionally(failure);
            } else if (all != null) {
                result.complete(all);
            }
        }

        private List<Completed> completed() {
            List<Completed> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(builder().withStarted(started[i]).withText(text[i].toString()).withLogprobs(logprobs.get(i))
                        .withFinished(finished[i]).withToolCalls(toolCalls[i].calls()).withThinking(thinking[i].blocks()).build());
            }
            return out;
        }

        void cancelAll() {
            List<Backend.Call> all;
            synchronized (this) {
                all = List.copyOf(calls);
            }
            all.forEach(Backend.Call::cancel);
        }
    }
}
