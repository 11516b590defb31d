package dev.tandem.server.local;

import dev.tandem.models.ContextWindow;
import dev.tandem.models.Conversation;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineException;
import dev.tandem.models.EngineSaturatedException;
import dev.tandem.models.Generation;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.Prompt;
import dev.tandem.models.PromptFormat;
import dev.tandem.models.SamplingParams;
import dev.tandem.models.StopRules;
import dev.tandem.models.grammar.GrammarConstraint;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.ErrorCode;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.PromptTokens;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.core.ToolChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The local engine as a {@link Backend}: internal requests in, engine events out as internal events.
 * Tools are shown to the model through its chat template (or the default tool prompt) and its calls
 * read back from its text; tool calls and structured output are enforced by a constraint on the
 * tokens it may write.
 */
public final class LocalBackend implements Backend {
    public static final String NAME = "local";
    /** OpenAI's defaults for what the caller left unset. */
    private static final SamplingParams DEFAULTS = SamplingParams.builder().withTemperature(1.0).build();

    private final LocalModel model;
    private final boolean strictMaxTokens;

    /**
     * @param strictMaxTokens false: a max_tokens beyond the room the prompt leaves in the context window
     *     is lowered to that room (as llama.cpp and Ollama do); true: it is refused (only a defaulted one
     *     is lowered)
     */
    public LocalBackend(LocalModel model, boolean strictMaxTokens) {
        this.model = model;
        this.strictMaxTokens = strictMaxTokens;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        if (request.hasImages()) {
            return Optional.of("the local model does not support images");
        }
        String essential = request.passthrough().essentialFieldFor(null);
        if (essential != null) {
            return Optional.of("the local model cannot honour '" + essential + "'");
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
        int[] ids = LocalPrompts.ids(LocalPrompts.prompt(request, engine.promptFormat()), engine.tokenizer());
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
            throw ApiException.invalid(request.hasImages() ? "messages" : null,
                    "This request cannot be served: " + why.get() + " (and no other backend is configured to serve it).");
        }
        Engine engine = model.engine();
        PromptFormat format = engine.promptFormat();
        Prompt prompt = LocalPrompts.prompt(request, format);
        if (prompt instanceof Prompt.Text text) { // megabytes take seconds to tokenise: refuse what never fits first
            model.window().neverFits(text.text(), engine.tokenizer().maxBytesPerToken()).ifPresent(tooLong -> {
                throw tooLong(request, tooLong);
            });
        }
        int[] ids = LocalPrompts.ids(prompt, engine.tokenizer()); // the one tokenisation: the engine gets the ids
        int maxTokens = fitted(request, ids.length);
        GrammarConstraint constraint = null;
        LocalAnswer answer = LocalAnswer.text();
        if (request.input() instanceof Input.Chat chat) {
            Conversation conversation = LocalPrompts.conversation(chat, request.tools(), request.toolChoice());
            constraint = model.constraints().of(request, conversation, format.toolCallSyntax());
            answer = LocalAnswer.of(conversation, request.responseFormat().json(), format.toolCallSyntax());
            roomFor(constraint, request, maxTokens);
        }
        GenerationRequest generation = generationRequest(request, Prompt.tokens(ids), maxTokens, constraint);
        LocalCall call = new LocalCall(sink, answer);
        try {
            call.generation = engine.submit(generation, call);
        } catch (EngineSaturatedException e) {
            throw new ApiException(ErrorKind.OVERLOADED, "The local model is busy (queue full); retry shortly.", null, e.retryAfter(), e);
        } catch (InvalidGenerationException e) {
            // the engine's message may not say which field it means ("token id 100000 is outside the vocabulary")
            String message = e.param() == null || e.getMessage().contains(e.param()) ? e.getMessage() : "'" + e.param() + "': " + e.getMessage();
            throw new ApiException(ErrorKind.INVALID_REQUEST, message, e.param(), null, e);
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
     * The max_tokens to generate: the caller's when it fits the window with the prompt, else the room
     * the prompt leaves (a defaulted max_tokens always; the caller's own unless {@code strictMaxTokens}).
     * A prompt that alone fills the window is refused as too long for it, which a router may take to a
     * model with a larger one.
     */
    private int fitted(InferenceRequest request, int promptTokens) {
        ContextWindow.Fit fit = model.window().fit(promptTokens, request.maxTokens(), request.maxTokensDefaulted() || !strictMaxTokens);
        if (fit instanceof ContextWindow.Fit.TooLong tooLong) {
            throw tooLong(request, tooLong);
        }
        return ((ContextWindow.Fit.Fits) fit).maxTokens();
    }

    private static ApiException tooLong(InferenceRequest request, ContextWindow.Fit.TooLong tooLong) {
        String param = tooLong.param().equals("prompt") && request.input() instanceof Input.Chat ? "messages" : tooLong.param();
        return new ApiException(ErrorKind.INVALID_REQUEST, ErrorCode.CONTEXT_WINDOW, tooLong.message(), param, null, null);
    }

    /**
     * A constrained answer must be able to end complete: its shortest form (at most one token a byte)
     * must fit in max_tokens. When the caller's max_tokens would hold it but the room in the window does
     * not, the prompt is too long for this model (a router may try a larger one).
     */
    private static void roomFor(GrammarConstraint constraint, InferenceRequest request, int maxTokens) {
        if (constraint == null || constraint.shortestOutput() <= maxTokens) {
            return;
        }
        String what = !request.offersTools() ? "JSON for the response format"
                : request.toolChoice().mode() == ToolChoice.Mode.AUTO && request.responseFormat().json()
                ? "a tool call or JSON for the response format" : "the tool call";
        if (request.maxTokens() >= constraint.shortestOutput()) {
            throw new ApiException(ErrorKind.INVALID_REQUEST, ErrorCode.CONTEXT_WINDOW, "The prompt leaves room for " + maxTokens
                    + " tokens in the local model's context window, but the shortest complete answer (" + what + ") may take "
                    + constraint.shortestOutput() + "; shorten the prompt.", "messages", null, null);
        }
        throw ApiException.invalid("max_tokens", "max_tokens is " + request.maxTokens() + ", but the shortest complete answer ("
                + what + ") may take " + constraint.shortestOutput() + " tokens; raise max_tokens to at least that.");
    }

    private static GenerationRequest generationRequest(InferenceRequest request, Prompt prompt, int maxTokens, GrammarConstraint constraint) {
        try {
            Sampling s = request.sampling();
            SamplingParams sampling = s.over(DEFAULTS);
            StopRules stop = new StopRules(request.stop(), Set.copyOf(s.stopTokenIds()), s.ignoreEos(), s.minTokens());
            int topLogprobs = request.topLogprobs() == null ? -1 : request.topLogprobs();
            return GenerationRequest.builder(request.requestId(), prompt)
                    .withMaxTokens(maxTokens)
                    .withSampling(sampling)
                    .withStop(stop)
                    .withTopLogprobs(topLogprobs)
                    .withConstraint(constraint)
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
        private final LocalAnswer answer;
        private final List<GenerationEvent> early = new ArrayList<>();
        private boolean started;
        private String echo;
        volatile Generation generation;

        LocalCall(Consumer<InferenceEvent> sink, LocalAnswer answer) {
            this.sink = sink;
            this.answer = answer;
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
                answer.token(t.text(), t.logprob(), sink);
            } else if (event instanceof GenerationEvent.Finished f) {
                sink.accept(finished(f));
            }
        }

        private InferenceEvent finished(GenerationEvent.Finished f) {
            TokenUsage usage = new TokenUsage(f.usage().promptTokens(), f.usage().completionTokens(), f.usage().cachedPromptTokens());
            return switch (f.reason()) {
                case STOP -> f.stopString() != null
                        ? new InferenceEvent.Finished(answer.finish(StopReason.STOP_SEQUENCE, sink), usage, f.stopString())
                        : new InferenceEvent.Finished(answer.finish(StopReason.END_TURN, sink), usage, null);
                case LENGTH -> new InferenceEvent.Finished(answer.finish(StopReason.MAX_TOKENS, sink), usage, null);
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
