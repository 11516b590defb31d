package dev.tandem.server.core;

import dev.tandem.models.GenerationEvent.TokenLogprob;
import java.util.Objects;

/**
 * What a backend emits, in order: one {@link Started}, then text and tool calls, then exactly one
 * {@link Finished} or {@link Failed} (the terminal event, {@link #isTerminal()}).
 */
public sealed interface InferenceEvent {

    /** Finished or Failed: nothing follows. */
    default boolean isTerminal() {
        return this instanceof Finished || this instanceof Failed;
    }

    /** A text or tool-call delta: what the client sees as the answer. */
    default boolean isContent() {
        return this instanceof TextDelta || this instanceof ToolCallDelta;
    }

    /**
     * The backend accepted the request; {@code inputTokens} as counted by it (or by Tandem). A backend
     * says {@link RouteReason#PRIMARY}; the router (or the cache) stamps its own reason before the edge
     * sees the event and writes response headers from it.
     */
    record Started(String backend, String model, int inputTokens, RouteReason route) implements InferenceEvent {
        public Started {
            Objects.requireNonNull(route, "route");
        }

        /** As a backend says it: route primary. */
        public Started(String backend, String model, int inputTokens) {
            this(backend, model, inputTokens, RouteReason.PRIMARY);
        }

        public Started withRoute(RouteReason v) {
            return new Started(backend, model, inputTokens, v);
        }

        /** The model {@code started} names, or {@code asked} when there is no event or it names none. */
        public static String answeringModel(Started started, String asked) {
            return started == null || started.model() == null || started.model().isBlank() ? asked : started.model();
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
