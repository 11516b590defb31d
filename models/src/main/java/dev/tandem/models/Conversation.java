package dev.tandem.models;

import java.util.List;
import java.util.Objects;

/**
 * A chat to continue: the messages, the tools the model may call and whether it may, must or must not
 * call them.
 */
public record Conversation(List<ChatMessage> messages, List<ToolDefinition> tools, ToolChoice toolChoice) {
    public Conversation {
        messages = List.copyOf(messages);
        tools = List.copyOf(tools);
        Objects.requireNonNull(toolChoice, "toolChoice");
        if (toolChoice.kind() == ToolChoice.Kind.NAMED && tools.stream().noneMatch(t -> t.name().equals(toolChoice.name()))) {
            throw new InvalidGenerationException("tool_choice", "tool_choice names '" + toolChoice.name()
                    + "', which is not among the tools");
        }
        if ((toolChoice.kind() == ToolChoice.Kind.REQUIRED) && tools.isEmpty()) {
            throw new InvalidGenerationException("tool_choice", "tool_choice 'required' needs at least one tool");
        }
    }

    /** Messages alone: no tools. */
    public static Conversation of(List<ChatMessage> messages) {
        return new Conversation(messages, List.of(), ToolChoice.AUTO);
    }

    /** True when tools are to be shown to the model. */
    public boolean offersTools() {
        return !tools.isEmpty() && toolChoice.kind() != ToolChoice.Kind.NONE;
    }
}
