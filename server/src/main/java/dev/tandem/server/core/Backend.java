package dev.tandem.server.core;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Something that answers inference requests: the local engine, or a remote API; and everything
 * that wraps one (the gate, the router, the cache). Implementations never see a dialect.
 */
public interface Backend {

    /** "local", or the name of a remote upstream ("anthropic", "openai", ...). */
    String name();

    /** Why this backend cannot serve the request (tools, images, context too long), or empty. */
    Optional<String> cannotServe(InferenceRequest request);

    /**
     * The most calls of one request ({@code n} choices, or prompts × n) this backend could ever hold at
     * once, however idle it is: a request with more can never be served whole, so the edge refuses it
     * with a 400 rather than a 429 a client would retry forever. Unbounded unless a backend says so.
     */
    default int maxCallsAtOnce(InferenceRequest request) {
        return Integer.MAX_VALUE;
    }

    /**
     * Starts the request. Events go to {@code sink} in order, possibly on another thread; the last
     * is Finished or Failed. May throw {@link ApiException} before anything started (refused,
     * saturated); once it returns, failures arrive as {@link InferenceEvent.Failed}.
     */
    Call start(InferenceRequest request, Consumer<InferenceEvent> sink);

    /**
     * The request's prompt as token ids, as the model that would serve it counts them (tokenize,
     * count_tokens). A backend without a tokenizer of its own refuses.
     */
    default PromptTokens tokenize(InferenceRequest request) {
        throw ApiException.invalid(null, "The " + name() + " backend does not tokenize.");
    }

    /** The request's prompt, given as token ids, as text. A backend without a tokenizer of its own refuses. */
    default String detokenize(InferenceRequest request) {
        throw ApiException.invalid(null, "The " + name() + " backend does not detokenize.");
    }

    /** A running request; cancel when the client goes away. */
    interface Call {
        void cancel();
    }
}
