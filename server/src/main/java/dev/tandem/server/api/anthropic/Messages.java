package dev.tandem.server.api.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.Completed;
import dev.tandem.server.api.Endpoint;
import dev.tandem.server.api.ErrorFormat;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.RequestIds;
import dev.tandem.server.api.Sse;
import dev.tandem.server.api.Streaming;
import dev.tandem.server.api.ToolCalls;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.StopReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/messages}: one internal request. */
public final class Messages implements Endpoint<MessagesWire.Request> {

    @Override
    public Class<MessagesWire.Request> wireType() {
        return MessagesWire.Request.class;
    }

    @Override
    public ErrorFormat errors() {
        return ErrorFormat.ANTHROPIC;
    }

    @Override
    public Exchange prepare(MessagesWire.Request wire, Origin origin) {
        InferenceRequest request = MessagesRequests.toInference(wire, origin);
        return new MessageExchange(wire.model(), request, "msg_" + RequestIds.generate("").substring(0, 24));
    }

    private record MessageExchange(String model, InferenceRequest request, String id) implements Exchange {
        @Override
        public List<InferenceRequest> requests() {
            return List.of(request);
        }

        @Override
        public Streaming.Format streamFormat() {
            return new Stream(id, model);
        }

        @Override
        public Object body(List<Completed> all) {
            Completed done = all.get(0);
            InferenceEvent.Finished f = done.finished();
            return new MessagesWire.Message(id, "message", "assistant", Completed.answeringModel(all, model), blocks(done),
                    stopReason(f.reason()), f.stopSequence(), MessagesWire.Usage.of(f.usage()));
        }
    }

    /** The upstream's thinking blocks, the text (unless empty beside tool calls), then one tool_use block per call. */
    private static List<Object> blocks(Completed done) {
        List<Object> blocks = new ArrayList<>();
        for (Content.Thinking t : done.thinking()) {
            blocks.add(t.redacted() != null ? new MessagesWire.RedactedThinkingBlock("redacted_thinking", t.redacted())
                    : new MessagesWire.ThinkingBlock("thinking", t.text(), t.signature()));
        }
        if (!done.text().isEmpty() || done.toolCalls().isEmpty()) {
            blocks.add(new MessagesWire.TextBlock("text", done.text()));
        }
        for (ToolCalls.Call call : done.toolCalls()) {
            blocks.add(new MessagesWire.ToolUseBlock("tool_use", call.id(), call.name(), toolInput(call.argumentsJson())));
        }
        return blocks;
    }

    private static JsonNode toolInput(String argumentsJson) {
        try {
            JsonNode node = Json.MAPPER.readTree(argumentsJson);
            return node != null && node.isObject() ? node : Json.MAPPER.createObjectNode();
        } catch (IOException notJson) {
            return Json.MAPPER.createObjectNode();
        }
    }

    static String stopReason(StopReason reason) {
        return switch (reason) {
            case END_TURN -> "end_turn";
            case STOP_SEQUENCE -> "stop_sequence";
            case MAX_TOKENS -> "max_tokens";
            case TOOL_USE -> "tool_use";
            case REFUSAL -> "refusal";
        };
    }

    /**
     * message_start (input tokens filled) → ping → per block content_block_start →
     * content_block_delta* → content_block_stop → message_delta (stop reason, cumulative output
     * tokens) → message_stop. A block opens with its first delta, so an answer that begins with a
     * tool call has its tool_use block at index 0, as Claude streams it (no empty text block); an
     * empty answer still gets one (empty) text block, as the non-streaming response does.
     */
    private static final class Stream implements Streaming.Format {
        private final String id;
        private final String asked;

        /** What the open block is: a thinking block takes text until its signature ends it. */
        private enum Open { TEXT, TOOL_USE, THINKING, SIGNED_THINKING, REDACTED_THINKING }

        private final Map<Integer, Integer> toolBlocks = new HashMap<>();
        private int block = -1; // none open yet
        private Open open;

        Stream(String id, String asked) {
            this.id = id;
            this.asked = asked;
        }

        @Override
        public void begin(Sse out, InferenceEvent.Started first) throws IOException {
            String model = InferenceEvent.Started.answeringModel(first, asked);
            out.event("message_start", Json.write(new MessagesWire.MessageStart("message_start", new MessagesWire.Message(id,
                    "message", "assistant", model, List.of(), null, null,
                    new MessagesWire.Usage(first.inputTokens(), 0, 0, 0)))));
            ping(out);
        }

        @Override
        public void event(Sse out, int index, InferenceEvent event) throws IOException {
            if (event instanceof InferenceEvent.TextDelta d && !d.text().isEmpty()) {
                if (open != Open.TEXT) {
                    openBlock(out, new MessagesWire.TextBlock("text", ""), Open.TEXT);
                }
                out.event("content_block_delta", Json.write(new MessagesWire.ContentBlockDelta("content_block_delta", block,
                        new MessagesWire.TextDelta("text_delta", d.text()))));
            } else if (event instanceof InferenceEvent.ToolCallDelta d) {
                if (d.id() != null) { // a new call: its own tool_use block
                    openBlock(out, new MessagesWire.ToolUseBlock("tool_use", d.id(), d.name(), Json.MAPPER.createObjectNode()), Open.TOOL_USE);
                    toolBlocks.put(d.index(), block);
                }
                Integer at = toolBlocks.get(d.index());
                if (at != null && d.argumentsJsonPart() != null && !d.argumentsJsonPart().isEmpty()) {
                    out.event("content_block_delta", Json.write(new MessagesWire.ContentBlockDelta("content_block_delta", at,
                            new MessagesWire.InputJsonDelta("input_json_delta", d.argumentsJsonPart()))));
                }
            } else if (event instanceof InferenceEvent.ThinkingDelta d) {
                thinking(out, d);
            } else if (event instanceof InferenceEvent.Finished f) {
                if (block < 0) {
                    openBlock(out, new MessagesWire.TextBlock("text", ""), Open.TEXT);
                }
                out.event("content_block_stop", Json.write(new MessagesWire.ContentBlockStop("content_block_stop", block)));
                out.event("message_delta", Json.write(new MessagesWire.MessageDelta("message_delta",
                        new MessagesWire.StopDelta(stopReason(f.reason()), f.stopSequence()),
                        new MessagesWire.OutputUsage(f.usage().uncachedInputTokens(), f.usage().outputTokens(),
                                f.usage().cachedInputTokens()))));
                out.event("message_stop", Json.write(new MessagesWire.Typed("message_stop")));
            }
        }

        /** Claude's thinking as Claude streams it: a thinking block, its text deltas, its signature delta. */
        private void thinking(Sse out, InferenceEvent.ThinkingDelta d) throws IOException {
            if (d.redacted() != null) {
                openBlock(out, new MessagesWire.RedactedThinkingBlock("redacted_thinking", d.redacted()), Open.REDACTED_THINKING);
                return;
            }
            if (open != Open.THINKING) {
                openBlock(out, new MessagesWire.ThinkingBlock("thinking", "", ""), Open.THINKING);
            }
            if (d.signature() != null) {
                out.event("content_block_delta", Json.write(new MessagesWire.ContentBlockDelta("content_block_delta", block,
                        new MessagesWire.SignatureDelta("signature_delta", d.signature()))));
                open = Open.SIGNED_THINKING;
            } else if (!d.text().isEmpty()) {
                out.event("content_block_delta", Json.write(new MessagesWire.ContentBlockDelta("content_block_delta", block,
                        new MessagesWire.ThinkingDelta("thinking_delta", d.text()))));
            }
        }

        /** Closes the open block, if any, and opens the next. */
        private void openBlock(Sse out, Object contentBlock, Open kind) throws IOException {
            if (block >= 0) {
                out.event("content_block_stop", Json.write(new MessagesWire.ContentBlockStop("content_block_stop", block)));
            }
            block++;
            open = kind;
            out.event("content_block_start", Json.write(new MessagesWire.ContentBlockStart("content_block_start", block, contentBlock)));
        }

        @Override
        public void ping(Sse out) throws IOException {
            out.event("ping", Json.write(new MessagesWire.Typed("ping")));
        }

        @Override
        public void end(Sse out) {}
    }
}
