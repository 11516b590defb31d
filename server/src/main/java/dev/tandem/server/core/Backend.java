package dev.tandem.server.core;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Something that answers inference requests: the local engine, or a remote API. Implementations
 * never see a dialect.
 */
public interface Backend {

    /** "local", "anthropic", "openai". */
    String name();

    /** Why this backend cannot serve the request (tools, images, context too long), or empty. */
    Optional<String> cannotServe(InferenceRequest request);

    /**
     * Starts the request. Events go to {@code sink} in order, possibly on another thread; the last
     * is Finished or Failed. May throw {@link ApiException} before anything started (refused,
     * saturated); once it returns, failures arrive as {@link InferenceEvent.Failed}.
     */
    Call start(InferenceRequest request, Consumer<InferenceEvent> sink);

    /** A running request; cancel when the client goes away. */
    interface Call {
        void cancel();
    }
}
