package dev.tandem.server.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.models.ChatMessage;
import dev.tandem.models.Conversation;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.Prompt;
import dev.tandem.models.PromptFormat;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.ToolCall;
import dev.tandem.models.ToolDefinition;
import dev.tandem.models.text.IncrementalDecoder;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.core.ToolSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Internal inputs as the local model's prompts. A conversation becomes the engine's {@link Conversation}
 * (tools, calls and results included, rendered by the checkpoint's chat template or the default tool
 * prompt) in the shape every chat template accepts: the system text first and once, consecutive turns
 * of one role merged into one, and an empty user turn before a leading assistant turn (templates such as
 * Llama-2's and Mistral's insist on user/assistant alternation, and clients send two user turns in a row).
 */
public final class LocalPrompts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalPrompts() {}

    /** The prompt of {@code request}; a conversation the model's chat template refuses is the caller's 400. */
    public static Prompt prompt(InferenceRequest request, PromptFormat format) {
        if (request.input() instanceof Input.Chat chat) {
            try {
                return format.chat(conversation(chat, request.tools(), request.toolChoice()));
            } catch (InvalidGenerationException refused) {
                throw ApiException.invalid(refused.param() == null ? "messages" : refused.param(),
                        "The local model's chat template refuses this conversation: " + refused.getMessage());
            }
        }
        Input.Completion completion = (Input.Completion) request.input();
        if (completion.suffix() == null) {
            return completion.prompt();
        }
        if (!(completion.prompt() instanceof Prompt.Text text)) {
            throw ApiException.invalid("suffix", "'suffix' (fill-in-the-middle) needs a text prompt, not token ids.");
        }
        return format.infill(text.text(), completion.suffix());
    }

    /** The conversation with its tools, as the engine takes it. */
    static Conversation conversation(Input.Chat chat, List<ToolSpec> tools, ToolChoice choice) {
        return new Conversation(messages(chat), tools.stream().map(LocalPrompts::definition).toList(), choice(choice));
    }

    /** The turns: system first (its text and any system turn, joined), then the others, merged and alternating. */
    static List<ChatMessage> messages(Input.Chat chat) {
        List<String> system = new ArrayList<>();
        if (chat.system() != null && !chat.system().isEmpty()) {
            system.add(chat.system());
        }
        Map<String, String> toolNames = new HashMap<>();
        List<ChatMessage> turns = new ArrayList<>();
        for (Message m : chat.messages()) {
            switch (m.role()) {
                case SYSTEM -> system.add(m.text());
                case ASSISTANT -> add(turns, assistant(m, toolNames));
                case USER, TOOL -> {
                    // tool results first (Anthropic carries them in a user turn), then the turn's own text
                    for (Content c : m.content()) {
                        if (c instanceof Content.ToolResult r) {
                            turns.add(ChatMessage.toolResult(r.toolUseId(), toolNames.get(r.toolUseId()), r.text()));
                        }
                    }
                    boolean hasText = m.content().stream().anyMatch(Content.Text.class::isInstance);
                    if (hasText || m.role() == Role.USER && m.content().isEmpty()) {
                        add(turns, new ChatMessage("user", m.text()));
                    }
                }
            }
        }
        List<ChatMessage> out = new ArrayList<>();
        if (!system.isEmpty()) {
            out.add(new ChatMessage("system", String.join("\n\n", system)));
        }
        if (!turns.isEmpty() && turns.get(0).role().equals("assistant")) {
            out.add(new ChatMessage("user", ""));
        }
        out.addAll(turns);
        return out;
    }

    /** Appends {@code m}, or joins it to the last turn when both are user turns or both assistant turns. */
    private static void add(List<ChatMessage> turns, ChatMessage m) {
        ChatMessage last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last == null || !last.role().equals(m.role()) || m.role().equals("tool") || m.role().equals("system")) {
            turns.add(m);
            return;
        }
        String content = last.content().isEmpty() ? m.content()
                : m.content().isEmpty() ? last.content()
                : last.content() + "\n\n" + m.content();
        List<ToolCall> calls = new ArrayList<>(last.toolCalls());
        calls.addAll(m.toolCalls());
        turns.set(turns.size() - 1, m.role().equals("assistant") ? ChatMessage.assistant(content, calls) : new ChatMessage(m.role(), content));
    }

    private static ChatMessage assistant(Message m, Map<String, String> toolNames) {
        List<ToolCall> calls = new ArrayList<>();
        for (Content c : m.content()) {
            if (c instanceof Content.ToolUse u) {
                calls.add(new ToolCall(u.id(), u.name(), u.argumentsJson()));
                toolNames.put(u.id(), u.name());
            }
        }
        return ChatMessage.assistant(m.text(), calls);
    }

    static ToolDefinition definition(ToolSpec tool) {
        return new ToolDefinition(tool.name(), tool.description(), schema(tool.inputSchemaJson()));
    }

    /** A JSON text the edge wrote (so valid JSON) as a tree. */
    static JsonNode schema(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    static dev.tandem.models.ToolChoice choice(ToolChoice choice) {
        return switch (choice.mode()) {
            case AUTO -> dev.tandem.models.ToolChoice.AUTO;
            case NONE -> dev.tandem.models.ToolChoice.NONE;
            case REQUIRED -> dev.tandem.models.ToolChoice.REQUIRED;
            case NAMED -> dev.tandem.models.ToolChoice.named(choice.name());
        };
    }

    /** The prompt's token ids: as given, or the text encoded. */
    public static int[] ids(Prompt prompt, Tokenizer tokenizer) {
        if (prompt instanceof Prompt.Tokens tokens) {
            return tokens.ids();
        }
        Prompt.Text text = (Prompt.Text) prompt;
        return tokenizer.encode(text.text(), text.addSpecialTokens());
    }

    /**
     * The prompt as text, for {@code echo}: token ids that end inside a character are echoed up to it, as
     * the output releases that character whole when the generation finishes it.
     */
    public static String text(Prompt prompt, Tokenizer tokenizer) {
        return prompt instanceof Prompt.Text text ? text.text() : IncrementalDecoder.settledText(tokenizer, ((Prompt.Tokens) prompt).ids());
    }
}
