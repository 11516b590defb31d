package dev.tandem.models.text;

import dev.tandem.models.ChatMessage;
import dev.tandem.models.Conversation;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.Prompt;
import dev.tandem.models.PromptFormat;
import java.util.List;

/**
 * The Llama-2-chat / CodeLlama-Instruct format, written out in Java exactly as their published
 * chat_template renders it:
 *
 * <pre>{@code <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s><s>[INST] {user} [/INST]}</pre>
 *
 * An optional leading system message is folded into the first user turn; each turn's content is
 * stripped of surrounding whitespace; roles must alternate user/assistant. The default when a
 * checkpoint has no chat_template. Tools, calls and results go through {@link DefaultToolPrompt}.
 */
public final class Llama2ChatFormat implements PromptFormat {
    private final String bosToken;
    private final String eosToken;
    private final CodeLlamaInfill infill;

    Llama2ChatFormat(String bosToken, String eosToken, CodeLlamaInfill infill) {
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.infill = infill;
    }

    /** The rendered conversation, with BOS written as text (so {@code addSpecialTokens} is false). */
    @Override
    public Prompt chat(List<ChatMessage> messages) {
        return new Prompt.Text(render(messages), false);
    }

    @Override
    public Prompt chat(Conversation conversation) {
        return chat(DefaultToolPrompt.plainTurns(conversation));
    }

    String render(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new InvalidGenerationException("messages", "at least one message is required");
        }
        String system = null;
        List<ChatMessage> turns = messages;
        if (messages.get(0).role().equals("system")) {
            system = messages.get(0).content();
            turns = messages.subList(1, messages.size());
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < turns.size(); i++) {
            ChatMessage m = turns.get(i);
            String expected = i % 2 == 0 ? "user" : "assistant";
            if (!m.role().equals(expected)) {
                throw new InvalidGenerationException("messages",
                        "Conversation roles must alternate user/assistant/user/assistant/... (message " + i
                                + " has role '" + m.role() + "')");
            }
            String content = i == 0 && system != null
                    ? "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + m.content()
                    : m.content();
            if (m.role().equals("user")) {
                out.append(bosToken).append("[INST] ").append(content.strip()).append(" [/INST]");
            } else {
                out.append(' ').append(content.strip()).append(' ').append(eosToken);
            }
        }
        return out.toString();
    }

    @Override
    public Prompt infill(String prefix, String suffix) {
        return infill.infill(prefix, suffix);
    }
}
