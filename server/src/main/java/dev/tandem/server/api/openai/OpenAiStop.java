package dev.tandem.server.api.openai;

import dev.tandem.server.core.StopReason;

/** Anthropic's richer stop reasons in OpenAI's words. */
final class OpenAiStop {
    private OpenAiStop() {}

    static String finishReason(StopReason reason) {
        return switch (reason) {
            case END_TURN, STOP_SEQUENCE -> "stop";
            case MAX_TOKENS -> "length";
            case TOOL_USE -> "tool_calls";
            case REFUSAL -> "content_filter";
        };
    }
}
