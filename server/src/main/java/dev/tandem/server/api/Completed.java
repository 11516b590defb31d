package dev.tandem.server.api;

import dev.tandem.models.GenerationEvent.TokenLogprob;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One choice, gathered whole for a non-streaming response; {@code thinking}: the upstream's thinking
 * blocks, which come before the text and the tool calls.
 */
public record Completed(InferenceEvent.Started started, String text, List<TokenLogprob> logprobs, InferenceEvent.Finished finished,
        List<ToolCalls.Call> toolCalls, List<Content.Thinking> thinking) {
    private static final Logger log = LoggerFactory.getLogger(Completed.class);

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
     * or nothing. A client that goes away meanwhile is noticed by {@link #respondWhenDone}.
     */
    public static Gathered gather(Backend backend, List<InferenceRequest> requests) {
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
        return g;
    }

    /**
     * The model that answered, as its backend named it (the local model for an alias such as "auto",
     * the upstream's own name for a remote), for the response's {@code model}; {@code asked} when the
     * backend named none.
     */
    public static String answeringModel(List<Completed> done, String asked) {
        return InferenceEvent.Started.answeringModel(done.get(0).started(), asked);
    }

    /** The calls of one request being gathered: the answer to come, and how to give up on it. */
    public interface Gathered {
        /** Completes with every choice's answer, or with the first failure. */
        CompletableFuture<List<Completed>> answer();

        /** Cancels every call and fails the answer with {@code why}; nothing more is gathered. */
        void abandon(ApiException why);
    }

    /**
     * Hands the gathered answer to Javalin, which calls {@code respond} and writes the response when
     * it is complete (a failure goes to the exception mapper, in the caller's dialect). The handler's
     * thread returns to the pool at once. A client that goes away before the answer is ready (the
     * {@link ClientWatch}) cancels its calls at once, queued or running: the ledger says cancelled,
     * and the engine's slots and the key's limits are freed, instead of a generation run to its end
     * for nobody.
     */
    public static void respondWhenDone(Context ctx, Gathered gathered, Consumer<List<Completed>> respond) {
        String requestId = RequestIds.of(ctx);
        ClientWatch watch = ClientWatch.start(ctx, () -> {
            log.info("request {}: the client went away before its answer was ready; cancelling", requestId);
            gathered.abandon(new ApiException(ErrorKind.INVALID_REQUEST, "The client closed the connection before the answer was ready."));
        });
        // the watch ends before the response is written (Jetty wants no read pending then)
        CompletableFuture<List<Completed>> answered = gathered.answer().whenComplete((answer, failure) -> watch.close());
        ctx.future(() -> answered.thenAccept(respond));
        RequestIds.release(ctx); // this thread leaves before the answer is written
    }

    /** The answers of one request's calls as their events arrive. */
    private static final class Gathering implements Gathered {
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

        @Override
        public CompletableFuture<List<Completed>> answer() {
            return result;
        }

        @Override
        public void abandon(ApiException why) {
            synchronized (this) {
                if (over) {
                    return;
                }
                over = true;
            }
            cancelAll();
            result.completeExceptionally(why);
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
