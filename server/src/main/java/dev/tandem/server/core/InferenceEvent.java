package dev.tandem.server.core;

import dev.tandem.models.GenerationEvent.TokenLogprob;
import java.util.Objects;

/**
 * What a backend emits, in order: one {@link Started}, then text and tool calls, then exactly one
 * {@link Finished} or {@link Failed}.
 */
public sealed interface InferenceEvent {

    /**
     * The backend accepted the request; {@code inputTokens} as counted by it (or by Tandem). Backends
     * leave {@code route} null; the router stamps its reason ("primary", "saturated", "local-error",
     * "policy", "capability") before the edge sees the event and writes response headers from it.
     */
    record Started(String backend, String model, int inputTokens, String route) implements InferenceEvent {
        public Started withRoute(String v) {
            return new Started(backend, model, inputTokens, v);
        }
    }

    /** Generated text; {@code logprob} is null unless requested and available. */
    record TextDelta(String text, TokenLogprob logprob) implements InferenceEvent {
        public TextDelta {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Part of a tool call; a call's first part has id and name, later parts only argument text. */
    record ToolCallDelta(int index, String id, String name, String argumentsJsonPart) implements InferenceEvent {}

    /** {@code stopSequence}: the stop string that matched, when the reason is STOP_SEQUENCE. */
    record Finished(StopReason reason, TokenUsage usage, String stopSequence) implements InferenceEvent {
        public Finished {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(usage, "usage");
        }
    }

    record Failed(ApiException error) implements InferenceEvent {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }
}
