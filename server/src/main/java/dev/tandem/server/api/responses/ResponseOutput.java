package dev.tandem.server.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.ToolCalls;
import dev.tandem.server.api.responses.ResponsesWire.CustomToolCallItem;
import dev.tandem.server.api.responses.ResponsesWire.FunctionCallItem;
import dev.tandem.server.api.responses.ResponsesWire.IncompleteDetails;
import dev.tandem.server.api.responses.ResponsesWire.Item;
import dev.tandem.server.api.responses.ResponsesWire.MessageItem;
import dev.tandem.server.api.responses.ResponsesWire.OutputText;
import dev.tandem.server.core.StopReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The output items of one answer as its text and tool calls arrive, whole or in deltas: text opens
 * a message item (or goes on in the open one), each tool call opens its own function or custom tool
 * call item, in the order they come. Items get their ids and output indices when they open, so a
 * stream can announce them then; {@link #items} gives them finished. An answer with nothing in it is
 * one empty message.
 */
final class ResponseOutput {

    /** An item being written; {@code index} is its output_index. */
    static final class Open {
        final int index;
        final String id;
        final Kind kind;
        final String callId;
        final String name;
        final StringBuilder text = new StringBuilder();
        private String status; // null while open

        Open(int index, String id, Kind kind, String callId, String name) {
            this.index = index;
            this.id = id;
            this.kind = kind;
            this.callId = callId;
            this.name = name;
        }

        /** Finished with {@code status}: completed or incomplete. */
        void close(String v) {
            status = v;
        }

        /** Null while open. */
        String status() {
            return status;
        }

        /** The item as it stands: in progress, or with {@code status}. */
        Item item(String status) {
            return switch (kind) {
                case MESSAGE -> new MessageItem(id, status, "assistant",
                        status.equals("in_progress") ? List.of() : List.of(new OutputText(text.toString())));
                case FUNCTION_CALL -> new FunctionCallItem(id, status, callId, name, status.equals("in_progress") ? "" : text.toString());
                case CUSTOM_TOOL_CALL -> new CustomToolCallItem(id, status, callId, name,
                        status.equals("in_progress") ? "" : customInput(text.toString()));
            };
        }

        /** A freeform tool's input: the {@code input} argument of the call's JSON, or the text itself when it is not that. */
        String customInput() {
            return customInput(text.toString());
        }

        private static String customInput(String argumentsJson) {
            try {
                JsonNode args = Json.MAPPER.readTree(argumentsJson);
                if (args != null && args.path(ResponseTools.CUSTOM_INPUT).isTextual()) {
                    return args.get(ResponseTools.CUSTOM_INPUT).asText();
                }
            } catch (IOException notJson) {
                // the model wrote no JSON: its text is the input
            }
            return argumentsJson;
        }
    }

    enum Kind { MESSAGE, FUNCTION_CALL, CUSTOM_TOOL_CALL }

    private final Set<String> customTools;
    private final List<Open> items = new ArrayList<>();
    private final Map<Integer, Open> calls = new HashMap<>();
    private Open message; // the message text goes to, while no call came after it

    ResponseOutput(Set<String> customTools) {
        this.customTools = customTools;
    }

    /** The whole answer of a call gathered whole: its text, then its tool calls. */
    static ResponseOutput of(Set<String> customTools, String text, List<ToolCalls.Call> calls) {
        ResponseOutput out = new ResponseOutput(customTools);
        if (!text.isEmpty()) {
            out.openMessage().text.append(text);
        }
        for (int i = 0; i < calls.size(); i++) {
            ToolCalls.Call call = calls.get(i);
            out.openCall(i, call.id(), call.name()).text.append(call.argumentsJson());
        }
        return out;
    }

    /** The open message, or null when text would open a new one. */
    Open message() {
        return message;
    }

    Open openMessage() {
        message = add(ResponseItems.newId("msg_"), Kind.MESSAGE, null, null);
        return message;
    }

    /** The call of delta index {@code index}, or null when none opened yet. */
    Open call(int index) {
        return calls.get(index);
    }

    /** Opens the call of delta index {@code index}; text after it goes to a new message. */
    Open openCall(int index, String callId, String name) {
        boolean custom = customTools.contains(name);
        Open call = add(ResponseItems.newId(custom ? "ctc_" : "fc_"), custom ? Kind.CUSTOM_TOOL_CALL : Kind.FUNCTION_CALL,
                callId != null ? callId : ResponseItems.newId("call_"), name);
        calls.put(index, call);
        message = null;
        return call;
    }

    private Open add(String id, Kind kind, String callId, String name) {
        Open open = new Open(items.size(), id, kind, callId, name);
        items.add(open);
        return open;
    }

    /** Every item, in output order. */
    List<Open> all() {
        return items;
    }

    /**
     * The items, finished: those still open close as completed, or incomplete when the answer was
     * cut short. An answer with nothing in it is one empty message.
     */
    List<Item> items(StopReason reason) {
        if (items.isEmpty()) {
            openMessage();
        }
        String status = incomplete(reason) == null ? "completed" : "incomplete";
        for (Open open : items) {
            if (open.status() == null) {
                open.close(status);
            }
        }
        return snapshot();
    }

    /** The items as they stand; the open ones as incomplete (an answer that failed). */
    List<Item> snapshot() {
        List<Item> out = new ArrayList<>();
        for (Open open : items) {
            out.add(open.item(open.status() == null ? "incomplete" : open.status()));
        }
        return out;
    }

    /** Why the answer is incomplete, or null when it is complete. */
    static IncompleteDetails incomplete(StopReason reason) {
        return switch (reason) {
            case MAX_TOKENS -> new IncompleteDetails("max_output_tokens");
            case REFUSAL -> new IncompleteDetails("content_filter");
            case END_TURN, STOP_SEQUENCE, TOOL_USE -> null;
        };
    }
}
