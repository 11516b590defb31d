package dev.tandem.server.local;

import dev.tandem.models.ContextWindow;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineException;
import dev.tandem.models.EngineSaturatedException;
import dev.tandem.models.Generation;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.Prompt;
import dev.tandem.models.SamplingParams;
import dev.tandem.models.StopRules;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.ErrorCode;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.PromptTokens;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** The local engine as a {@link Backend}: internal requests in, engine events out as internal events. */
public final class LocalBackend implements Backend {
    public static final String NAME = "local";
    /** OpenAI's defaults for what the caller left unset. */
    private static final SamplingParams DEFAULTS = SamplingParams.builder().withTemperature(1.0).build();

    private final LocalModel model;

    public LocalBackend(LocalModel model) {
        this.model = model;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        if (!request.tools().isEmpty()) {
            return Optional.of("the local model does not support tools");
        }
        if (request.input() instanceof Input.Chat chat) {
            for (var message : chat.messages()) {
                for (Content c : message.content()) {
                    if (c instanceof Content.Image) {
                        return Optional.of("the local model does not support images");
                    }
                    if (c instanceof Content.ToolUse || c instanceof Content.ToolResult) {
                        return Optional.of("the local model does not support tool calls or tool results");
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** The engine's running slots and queue places: it refuses a submission beyond them. */
    @Override
    public int maxCallsAtOnce(InferenceRequest request) {
        return model.maxInFlight();
    }

    @Override
    public PromptTokens tokenize(InferenceRequest request) {
        Engine engine = model.engine();
        int[] ids = LocalPrompts.ids(LocalPrompts.prompt(request.input(), engine.promptFormat()), engine.tokenizer());
        return new PromptTokens(ids, engine.model().contextLength());
    }

    /** Token ids outside the vocabulary are the caller's 400. */
    @Override
    public String detokenize(InferenceRequest request) {
        Engine engine = model.engine();
        if (!(request.input() instanceof Input.Completion c && c.prompt() instanceof Prompt.Tokens tokens)) {
            throw ApiException.invalid("tokens", "'tokens' is required: an array of token ids.");
        }
        int vocab = engine.tokenizer().vocabSize();
        for (int id : tokens.ids()) {
            if (id < 0 || id >= vocab) {
                throw ApiException.invalid("tokens", "Token id " + id + " is outside the vocabulary [0, " + vocab + ").");
            }
        }
        return engine.tokenizer().decode(tokens.ids());
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        Optional<String> why = cannotServe(request);
        if (why.isPresent()) {
            throw ApiException.invalid(request.tools().isEmpty() ? "messages" : "tools",
                    "This request cannot be served: " + why.get() + " (and no other backend is configured to serve it).");
        }
        Engine engine = model.engine();
        Prompt prompt = LocalPrompts.prompt(request.input(), engine.promptFormat());
        if (prompt instanceof Prompt.Text text) { // megabytes take seconds to tokenise: refuse what never fits first
            model.window().neverFits(text.text(), engine.tokenizer().maxBytesPerToken()).ifPresent(tooLong -> {
                throw tooLong(request, tooLong);
            });
        }
        int[] ids = LocalPrompts.ids(prompt, engine.tokenizer()); // the one tokenisation: the engine gets the ids
        int maxTokens = fitted(request, ids.length);
        GenerationRequest generation = generationRequest(request, Prompt.tokens(ids), maxTokens);
        LocalCall call = new LocalCall(sink);
        try {
            call.generation = engine.submit(generation, call);
        } catch (EngineSaturatedException e) {
            throw new ApiException(ErrorKind.OVERLOADED, "The local model is busy (queue full); retry shortly.", null, e.retryAfter(), e);
        } catch (InvalidGenerationException e) {
            throw new ApiException(ErrorKind.INVALID_REQUEST, e.getMessage(), e.param(), null, e);
        } catch (EngineException e) {
            throw new ApiException(ErrorKind.UPSTREAM, "The local engine refused the request: " + e.getMessage(), null, null, e);
        }
        if (request.input() instanceof Input.Completion c && c.echo()) {
            call.echo(LocalPrompts.text(c.prompt(), engine.tokenizer()));
        }
        call.started(new InferenceEvent.Started(NAME, engine.model().id(), ids.length));
        return call;
    }

    /**
     * The max_tokens to generate: the caller's, when it fits the window with the prompt; a default
     * lowered to the room the prompt leaves, as vLLM does (a caller who set no limit gets a completion,
     * not a refusal). What does not fit is refused as too long for the context window, which a router
     * may take to a model with a larger one.
     */
    private int fitted(InferenceRequest request, int promptTokens) {
        ContextWindow.Fit fit = model.window().fit(promptTokens, request.maxTokens(), request.maxTokensDefaulted());
        if (fit instanceof ContextWindow.Fit.TooLong tooLong) {
            throw tooLong(request, tooLong);
        }
        return ((ContextWindow.Fit.Fits) fit).maxTokens();
    }

    private static ApiException tooLong(InferenceRequest request, ContextWindow.Fit.TooLong tooLong) {
        String param = tooLong.param().equals("prompt") && request.input() instanceof Input.Chat ? "messages" : tooLong.param();
        return new ApiException(ErrorKind.INVALID_REQUEST, ErrorCode.CONTEXT_WINDOW, tooLong.message(), param, null, null);
    }

    private static GenerationRequest generationRequest(InferenceRequest request, Prompt prompt, int maxTokens) {
        try {
            Sampling s = request.sampling();
            SamplingParams sampling = s.over(DEFAULTS);
            StopRules stop = new StopRules(request.stop(), Set.of(), s.ignoreEos(), s.minTokens());
            int topLogprobs = request.topLogprobs() == null ? -1 : request.topLogprobs();
            return GenerationRequest.builder(request.requestId(), prompt)
                    .withMaxTokens(maxTokens)
                    .withSampling(sampling)
                    .withStop(stop)
                    .withTopLogprobs(topLogprobs)
                    .build();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(null, e.getMessage());
        }
    }

    /**
     * One generation. Engine events that arrive before {@code Started} was sent (the engine may run
     * before submit returns) wait here, so that the sink always sees Started first.
     */
    private static final class LocalCall implements Call, Consumer<GenerationEvent> {
        private final Consumer<InferenceEvent> sink;
        private final List<GenerationEvent> early = new ArrayList<>();
        private boolean started;
        private String echo;
        volatile Generation generation;

        LocalCall(Consumer<InferenceEvent> sink) {
            this.sink = sink;
        }

        void started(InferenceEvent.Started event) {
            synchronized (this) {
                sink.accept(event);
                early.forEach(this::forward);
                early.clear();
                started = true;
            }
        }

        /** Sent right after Started: the prompt, when the caller asked for it back. */
        synchronized void echo(String text) {
            this.echo = text;
        }

        @Override
        public void accept(GenerationEvent event) {
            synchronized (this) {
                if (!started) {
                    early.add(event);
                    return;
                }
            }
            forward(event);
        }

        private void forward(GenerationEvent event) {
            if (echo != null) {
                sink.accept(new InferenceEvent.TextDelta(echo, null));
                echo = null;
            }
            if (event instanceof GenerationEvent.Token t) {
                if (!t.text().isEmpty() || t.logprob() != null) {
                    sink.accept(new InferenceEvent.TextDelta(t.text(), t.logprob()));
                }
            } else if (event instanceof GenerationEvent.Finished f) {
                sink.accept(finished(f));
            }
        }

        private static InferenceEvent finished(GenerationEvent.Finished f) {
            TokenUsage usage = new TokenUsage(f.usage().promptTokens(), f.usage().completionTokens());
            return switch (f.reason()) {
                case STOP -> f.stopString() != null
                        ? new InferenceEvent.Finished(StopReason.STOP_SEQUENCE, usage, f.stopString())
                        : new InferenceEvent.Finished(StopReason.END_TURN, usage, null);
                case LENGTH -> new InferenceEvent.Finished(StopReason.MAX_TOKENS, usage, null);
                case CANCELLED -> new InferenceEvent.Failed(new ApiException(ErrorKind.UPSTREAM, "The local generation was cancelled."));
                case ERROR -> new InferenceEvent.Failed(new ApiException(ErrorKind.UPSTREAM,
                        "The local engine failed: " + (f.error() == null ? "unknown error" : f.error())));
            };
        }

        @Override
        public void cancel() {
            Generation g = generation;
            if (g != null) {
                g.cancel();
            }
        }
    }
}
