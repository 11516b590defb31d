package dev.tandem.models;

import java.util.List;

/** Turns conversations and infill requests into prompts; the maths never sees a role. */
public interface PromptFormat {

    /** The prompt for a conversation, ready for the assistant's next turn. */
    Prompt chat(List<ChatMessage> messages);

    /** CodeLlama fill-in-the-middle: {@code <PRE> prefix <SUF>suffix <MID>}. */
    Prompt infill(String prefix, String suffix);
}
