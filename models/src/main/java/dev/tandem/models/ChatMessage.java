package dev.tandem.models;

import java.util.List;
import java.util.Objects;

/**
 * One turn of a conversation. Roles: system, user, assistant, tool. An assistant turn may carry the
 * tool calls it made; a tool turn is the result of one call ({@code toolCallId}, and the tool's {@code
 * name}, each when known).
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String name) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        if (!toolCalls.isEmpty() && !role.equals("assistant")) {
            throw new IllegalArgumentException("only assistant turns carry tool calls");
        }
    }

    /** A text turn. */
    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null, null);
    }

    /** An assistant turn with its tool calls (content may be empty). */
    public static ChatMessage assistant(String content, List<ToolCall> toolCalls) {
        return new ChatMessage("assistant", content == null ? "" : content, toolCalls, null, null);
    }

    /** The result of call {@code toolCallId} (of tool {@code name}, null when unknown). */
    public static ChatMessage toolResult(String toolCallId, String name, String content) {
        return new ChatMessage("tool", content, List.of(), toolCallId, name);
    }
}
