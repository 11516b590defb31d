package dev.tandem.models.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.models.ChatMessage;
import dev.tandem.models.Conversation;
import dev.tandem.models.ToolCall;
import dev.tandem.models.ToolCallSyntax;
import dev.tandem.models.ToolChoice;
import dev.tandem.models.ToolDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * Tandem's tool prompt for chat formats that know nothing of tools (Llama-2 / CodeLlama {@code [INST]}
 * chat, and any checkpoint template that never mentions {@code tools}): the conversation becomes plain
 * system / user / assistant turns.
 *
 * <ul>
 *   <li>The tools are listed at the end of the system prompt (one is added when there is none):
 *       <pre>{@code
 * You can call these tools (parameters are JSON Schema):
 * [{"name":"get_weather","description":"Current weather","parameters":{...}}]
 * To call tools, answer with [TOOL_CALLS] and a JSON list of calls, and nothing else:
 * [TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}}]
 * The results come back in the next user turn after [TOOL_RESULTS]. Otherwise answer in plain text.
 * }</pre>
 *       With {@code tool_choice} {@code required} the last line is "You must call at least one tool now.";
 *       with a named tool "You must call the tool 'get_weather' now.". With {@code none} the tools are
 *       not shown at all (calls and results already in the history still are).
 *   <li>An assistant turn that called tools ends with its calls as the model writes them: {@code
 *       [TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}}]}.
 *   <li>Tool results become one user turn (consecutive results together, a user message that follows
 *       joined to it): {@code [TOOL_RESULTS] [{"call_id": "call_1", "name": "get_weather", "content":
 *       "18 °C"}]}.
 * </ul>
 *
 * The model's answer is parsed with {@link ToolCallSyntax#BRACKETED_LIST}.
 */
public final class DefaultToolPrompt {
    static final String RESULTS = "[TOOL_RESULTS]";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DefaultToolPrompt() {}

    /** The conversation as plain turns (system first when there is one). */
    public static List<ChatMessage> plainTurns(Conversation conversation) {
        List<ChatMessage> out = new ArrayList<>();
        List<ChatMessage> messages = conversation.messages();
        int start = 0;
        String system = null;
        if (!messages.isEmpty() && messages.get(0).role().equals("system")) {
            system = messages.get(0).content();
            start = 1;
        }
        if (conversation.offersTools()) {
            String tools = toolList(conversation);
            system = system == null || system.isBlank() ? tools : system + "\n\n" + tools;
        }
        if (system != null) {
            out.add(new ChatMessage("system", system));
        }
        List<ObjectNode> results = new ArrayList<>();
        for (int i = start; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role().equals("tool")) {
                results.add(result(m));
                continue;
            }
            String resultText = results.isEmpty() ? null : RESULTS + " " + write(JSON.valueToTree(results));
            results.clear();
            if (resultText != null) {
                if (m.role().equals("user")) {
                    out.add(new ChatMessage("user", resultText + "\n\n" + m.content()));
                    continue;
                }
                out.add(new ChatMessage("user", resultText));
            }
            out.add(m.toolCalls().isEmpty() ? new ChatMessage(m.role(), m.content()) : new ChatMessage("assistant", withCalls(m)));
        }
        if (!results.isEmpty()) {
            out.add(new ChatMessage("user", RESULTS + " " + write(JSON.valueToTree(results))));
        }
        return out;
    }

    private static String toolList(Conversation conversation) {
        ArrayNode tools = JSON.createArrayNode();
        for (ToolDefinition t : conversation.tools()) {
            ObjectNode tool = tools.addObject();
            tool.put("name", t.name());
            if (!t.description().isEmpty()) {
                tool.put("description", t.description());
            }
            tool.set("parameters", t.parameters());
        }
        String start = ToolCallSyntax.BRACKETED_LIST.start();
        String rule = switch (conversation.toolChoice().kind()) {
            case REQUIRED -> "You must call at least one tool now.";
            case NAMED -> "You must call the tool '" + conversation.toolChoice().name() + "' now.";
            default -> "The results come back in the next user turn after " + RESULTS + ". Otherwise answer in plain text.";
        };
        return "You can call these tools (parameters are JSON Schema):\n" + write(tools) + "\n"
                + "To call tools, answer with " + start + " and a JSON list of calls, and nothing else:\n"
                + start + " [{\"name\": \"" + conversation.tools().get(0).name() + "\", \"arguments\": {...}}]\n"
                + rule;
    }

    /** The calls of an assistant turn, as the model writes them. */
    static String calls(List<ToolCall> calls) {
        ArrayNode list = JSON.createArrayNode();
        for (ToolCall c : calls) {
            ObjectNode call = list.addObject();
            call.put("name", c.name());
            call.set("arguments", arguments(c));
        }
        return ToolCallSyntax.BRACKETED_LIST.start() + " " + write(list);
    }

    private static String withCalls(ChatMessage m) {
        String calls = calls(m.toolCalls());
        return m.content().isBlank() ? calls : m.content().strip() + "\n\n" + calls;
    }

    private static ObjectNode result(ChatMessage m) {
        ObjectNode r = JSON.createObjectNode();
        r.put("call_id", m.toolCallId());
        if (m.name() != null) {
            r.put("name", m.name());
        }
        r.put("content", m.content());
        return r;
    }

    /** A call's arguments as JSON (kept as a string when they are not JSON). */
    static JsonNode arguments(ToolCall call) {
        try {
            return JSON.readTree(call.arguments());
        } catch (JsonProcessingException notJson) {
            return JSON.getNodeFactory().textNode(call.arguments());
        }
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
