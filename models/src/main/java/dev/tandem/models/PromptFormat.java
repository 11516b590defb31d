package dev.tandem.models;

import java.util.List;

/** Turns conversations and infill requests into prompts; the maths never sees a role. */
public interface PromptFormat {

    /** The prompt for a conversation, ready for the assistant's next turn. */
    Prompt chat(List<ChatMessage> messages);

    /**
     * The prompt for a conversation with tools: the tools listed (unless the choice is NONE), calls and
     * results in the history rendered, ready for the assistant's next turn. A format that knows nothing
     * of tools takes only conversations without them.
     */
    default Prompt chat(Conversation conversation) {
        boolean toolTurns = conversation.messages().stream().anyMatch(m -> m.role().equals("tool") || !m.toolCalls().isEmpty());
        if (conversation.offersTools() || toolTurns) {
            throw new InvalidGenerationException("tools", "this model's prompt format cannot show tools");
        }
        return chat(conversation.messages());
    }

    /** How this format's model writes tool calls (for the parser and the constraint). */
    default ToolCallSyntax toolCallSyntax() {
        return ToolCallSyntax.BRACKETED_LIST;
    }

    /** CodeLlama fill-in-the-middle: {@code <PRE> prefix <SUF>suffix <MID>}. */
    Prompt infill(String prefix, String suffix);
}
