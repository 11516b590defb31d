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

    /** A text, tool-call or thinking delta: what the client sees as the answer. */
    default boolean isContent() {
        return this instanceof TextDelta || this instanceof ToolCallDelta || this instanceof ThinkingDelta;
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

    /**
     * Part of the upstream model's thinking (Claude's {@code thinking} and {@code redacted_thinking}
     * blocks), for a caller of the same dialect, who must send it back unchanged when it continues a
     * tool loop with thinking on. Exactly one part is set: {@code text}, a piece of a thinking block's
     * text; {@code signature}, which ends that block; or {@code redacted}, a whole redacted block's data.
     */
    record ThinkingDelta(String text, String signature, String redacted) implements InferenceEvent {
        public ThinkingDelta {
            if ((text != null ? 1 : 0) + (signature != null ? 1 : 0) + (redacted != null ? 1 : 0) != 1) {
                throw new IllegalArgumentException("one of text, signature and redacted");
            }
        }

        public static ThinkingDelta text(String v) {
            return new ThinkingDelta(v, null, null);
        }

        public static ThinkingDelta signature(String v) {
            return new ThinkingDelta(null, v, null);
        }

        public static ThinkingDelta redacted(String v) {
            return new ThinkingDelta(null, null, v);
        }
    }

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
