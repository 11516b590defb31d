package dev.tandem.server.local;

import dev.tandem.models.ChatMessage;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.Prompt;
import dev.tandem.models.PromptFormat;
import dev.tandem.models.Tokenizer;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Internal inputs as the local model's prompts. */
public final class LocalPrompts {
    private LocalPrompts() {}

    /** The system text first, then the turns; text only (the caller checked). */
    public static List<ChatMessage> chatMessages(Input.Chat chat) {
        List<ChatMessage> out = new ArrayList<>();
        if (chat.system() != null) {
            out.add(new ChatMessage("system", chat.system()));
        }
        for (Message m : chat.messages()) {
            out.add(new ChatMessage(m.role().name().toLowerCase(Locale.ROOT), m.text()));
        }
        return out;
    }

    /** The prompt of {@code input}; a conversation the model's chat template refuses is the caller's 400. */
    public static Prompt prompt(Input input, PromptFormat format) {
        if (input instanceof Input.Chat chat) {
            try {
                return format.chat(chatMessages(chat));
            } catch (InvalidGenerationException refused) {
                throw ApiException.invalid("messages", "The local model's chat template refuses this conversation: "
                        + refused.getMessage());
            }
        }
        Input.Completion completion = (Input.Completion) input;
        if (completion.suffix() == null) {
            return completion.prompt();
        }
        if (!(completion.prompt() instanceof Prompt.Text text)) {
            throw ApiException.invalid("suffix", "'suffix' (fill-in-the-middle) needs a text prompt, not token ids.");
        }
        return format.infill(text.text(), completion.suffix());
    }

    /** The prompt's token ids: as given, or the text encoded. */
    public static int[] ids(Prompt prompt, Tokenizer tokenizer) {
        if (prompt instanceof Prompt.Tokens tokens) {
            return tokens.ids();
        }
        Prompt.Text text = (Prompt.Text) prompt;
        return tokenizer.encode(text.text(), text.addSpecialTokens());
    }

    /** The prompt as text, for {@code echo}. */
    public static String text(Prompt prompt, Tokenizer tokenizer) {
        return prompt instanceof Prompt.Text text ? text.text() : tokenizer.decode(((Prompt.Tokens) prompt).ids());
    }
}
