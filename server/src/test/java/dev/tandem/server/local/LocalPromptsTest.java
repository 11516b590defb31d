package dev.tandem.server.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.ChatMessage;
import dev.tandem.models.Conversation;
import dev.tandem.models.ToolCall;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.fakes.Requests;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Conversations in the shape every chat template takes: system once and first, one turn per role, user first. */
class LocalPromptsTest {

    @Test
    void twoUserTurnsInARowBecomeOne() {
        // Given OpenCode's title request: two user messages in a row
        Input.Chat chat = new Input.Chat("Title the conversation.", List.of(
                Message.text(Role.USER, "Generate a title for this conversation:\n"),
                Message.text(Role.USER, "Fix the failing test")));
        // Then the model sees one user turn holding both
        assertThat(LocalPrompts.messages(chat)).containsExactly(
                new ChatMessage("system", "Title the conversation."),
                new ChatMessage("user", "Generate a title for this conversation:\n\n\nFix the failing test"));
    }

    @Test
    void aLeadingAssistantTurnFollowsAnEmptyUserTurn() {
        Input.Chat chat = new Input.Chat(null, List.of(Message.text(Role.ASSISTANT, "Hello, how can I help?"),
                Message.text(Role.USER, "Say hi")));
        assertThat(LocalPrompts.messages(chat)).containsExactly(
                new ChatMessage("user", ""),
                ChatMessage.assistant("Hello, how can I help?", List.of()),
                new ChatMessage("user", "Say hi"));
    }

    @Test
    void systemTurnsAnywhereJoinTheSystemText() {
        Input.Chat chat = new Input.Chat("Be brief.", List.of(Message.text(Role.USER, "Hi"),
                Message.text(Role.SYSTEM, "Agents: general-purpose"), Message.text(Role.USER, "List agents")));
        assertThat(LocalPrompts.messages(chat)).containsExactly(
                new ChatMessage("system", "Be brief.\n\nAgents: general-purpose"),
                new ChatMessage("user", "Hi\n\nList agents"));
    }

    @Test
    void callsAndResultsOfEitherDialectBecomeTheEnginesCallsAndResults() {
        // Given an Anthropic-style history: the assistant's text and call, then a user turn with the result first
        Input.Chat chat = new Input.Chat(null, List.of(
                Message.text(Role.USER, "Weather in Paris?"),
                new Message(Role.ASSISTANT, List.of(new Content.Text("Let me check."),
                        new Content.ToolUse("toolu_1", "get_weather", "{\"city\":\"Paris\"}"))),
                new Message(Role.USER, List.of(new Content.ToolResult("toolu_1", List.of(new Content.Text("18 C")), false),
                        new Content.Text("And tomorrow?")))));
        Conversation conversation = LocalPrompts.conversation(chat, Requests.WEATHER_TOOL, ToolChoice.AUTO);
        // Then the result is a tool turn naming its call and tool, followed by the user's text
        assertThat(conversation.messages()).containsExactly(
                new ChatMessage("user", "Weather in Paris?"),
                ChatMessage.assistant("Let me check.", List.of(new ToolCall("toolu_1", "get_weather", "{\"city\":\"Paris\"}"))),
                ChatMessage.toolResult("toolu_1", "get_weather", "18 C"),
                new ChatMessage("user", "And tomorrow?"));
        assertThat(conversation.offersTools()).isTrue();
        // And an OpenAI tool turn, an error result, reads the same way
        Input.Chat openAi = new Input.Chat(null, List.of(Message.text(Role.USER, "Weather?"),
                new Message(Role.ASSISTANT, List.of(new Content.ToolUse("call_1", "get_weather", "{}"))),
                new Message(Role.TOOL, List.of(new Content.ToolResult("call_1", List.of(new Content.Text("no city")), true)))));
        assertThat(LocalPrompts.messages(openAi)).last().isEqualTo(ChatMessage.toolResult("call_1", "get_weather", "Error: no city"));
    }

    @Test
    void toolChoiceNoneShowsNoTools() {
        Conversation conversation = LocalPrompts.conversation(new Input.Chat(null, List.of(Message.text(Role.USER, "Hi"))),
                Requests.WEATHER_TOOL, ToolChoice.NONE);
        assertThat(conversation.offersTools()).isFalse();
    }
}
