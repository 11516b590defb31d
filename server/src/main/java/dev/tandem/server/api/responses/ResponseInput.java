package dev.tandem.server.api.responses;

import dev.tandem.server.api.Json;
import dev.tandem.server.api.responses.ResponsesWire.CustomToolCallItem;
import dev.tandem.server.api.responses.ResponsesWire.CustomToolCallOutputItem;
import dev.tandem.server.api.responses.ResponsesWire.FunctionCallItem;
import dev.tandem.server.api.responses.ResponsesWire.FunctionCallOutputItem;
import dev.tandem.server.api.responses.ResponsesWire.InputImage;
import dev.tandem.server.api.responses.ResponsesWire.InputText;
import dev.tandem.server.api.responses.ResponsesWire.Item;
import dev.tandem.server.api.responses.ResponsesWire.MessageItem;
import dev.tandem.server.api.responses.ResponsesWire.OutputText;
import dev.tandem.server.api.responses.ResponsesWire.Part;
import dev.tandem.server.api.responses.ResponsesWire.Refusal;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Items as the internal conversation: {@code instructions}, then every system and developer message
 * wherever it stands, as the system text (joined by blank lines); user messages as user turns; an
 * assistant message and the calls that follow it as one assistant turn; each tool output as a tool
 * turn. A freeform (custom) tool's call is a call with one string argument, {@code input} (see
 * {@link ResponseTools}).
 */
final class ResponseInput {
    private static final Pattern DATA_URL = Pattern.compile("data:([^;,]+);base64,(.*)", Pattern.DOTALL);

    private ResponseInput() {}

    static Input.Chat chat(String instructions, List<Item> items) {
        List<String> system = new ArrayList<>();
        if (instructions != null && !instructions.isEmpty()) {
            system.add(instructions);
        }
        List<Message> turns = new ArrayList<>();
        List<Content> assistant = null; // the assistant turn being gathered
        for (Item item : items) {
            if (item instanceof MessageItem m && (m.role().equals("system") || m.role().equals("developer"))) {
                system.add(text(m.content()));
                continue;
            }
            boolean assistantSide = item instanceof FunctionCallItem || item instanceof CustomToolCallItem
                    || (item instanceof MessageItem m && m.role().equals("assistant"));
            if (!assistantSide && assistant != null) {
                turns.add(new Message(Role.ASSISTANT, assistant));
                assistant = null;
            }
            if (assistantSide && assistant == null) {
                assistant = new ArrayList<>();
            }
            if (item instanceof MessageItem m && m.role().equals("assistant")) {
                assistant.add(new Content.Text(text(m.content())));
            } else if (item instanceof MessageItem m) {
                turns.add(new Message(Role.USER, userContent(m.content())));
            } else if (item instanceof FunctionCallItem c) {
                assistant.add(new Content.ToolUse(c.callId(), c.name(), c.arguments()));
            } else if (item instanceof CustomToolCallItem c) {
                assistant.add(new Content.ToolUse(c.callId(), c.name(), Json.write(Map.of(ResponseTools.CUSTOM_INPUT, c.input()))));
            } else if (item instanceof FunctionCallOutputItem o) {
                turns.add(toolTurn(o.callId(), o.output()));
            } else if (item instanceof CustomToolCallOutputItem o) {
                turns.add(toolTurn(o.callId(), o.output()));
            }
        }
        if (assistant != null) {
            turns.add(new Message(Role.ASSISTANT, assistant));
        }
        if (turns.isEmpty()) {
            throw ApiException.invalid("input", "'input' must hold at least one user, assistant or tool item"
                    + " (system and developer messages alone leave nothing to answer).");
        }
        return new Input.Chat(system.isEmpty() ? null : String.join("\n\n", system), turns);
    }

    private static Message toolTurn(String callId, String output) {
        return new Message(Role.TOOL, List.of(new Content.ToolResult(callId, List.of(new Content.Text(output)), false)));
    }

    /** Text and refusal parts joined; images are refused where only text may stand. */
    private static String text(List<Part> parts) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof InputText t) {
                sb.append(t.text());
            } else if (p instanceof OutputText t) {
                sb.append(t.text());
            } else if (p instanceof Refusal r) {
                sb.append(r.refusal());
            } else {
                throw ApiException.invalid("input", "Images may stand in user messages only.");
            }
        }
        return sb.toString();
    }

    private static List<Content> userContent(List<Part> parts) {
        List<Content> out = new ArrayList<>();
        for (Part p : parts) {
            if (p instanceof InputImage image) {
                Matcher data = DATA_URL.matcher(image.imageUrl());
                out.add(data.matches() ? new Content.Image(data.group(1), data.group(2), null) : new Content.Image(null, null, image.imageUrl()));
            } else {
                out.add(new Content.Text(text(List.of(p))));
            }
        }
        return out;
    }
}
