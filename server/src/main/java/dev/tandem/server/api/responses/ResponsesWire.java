package dev.tandem.server.api.responses;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI Responses API on the wire (snake_case through the mapper), as the official SDKs define
 * it: the request, the items (input and output share their shapes), the response object, and the
 * stream's events. Every event carries its {@code type} first and a {@code sequence_number}.
 */
final class ResponsesWire {
    private ResponsesWire() {}

    /** The request's fields after {@link RequestFields} let it through; loose shapes are read by hand. */
    record Request(
            String model,
            JsonNode input,
            String instructions,
            List<JsonNode> tools,
            JsonNode toolChoice,
            JsonNode text,
            Integer maxOutputTokens,
            Double temperature,
            Double topP,
            Boolean stream,
            JsonNode streamOptions,
            Boolean store,
            String previousResponseId,
            JsonNode reasoning,
            List<String> include,
            Map<String, String> metadata,
            String user,
            Boolean parallelToolCalls,
            Integer maxToolCalls,
            String promptCacheKey,
            String safetyIdentifier,
            String serviceTier,
            String truncation) {}

    // Items: what the model is given and what it answers

    /** An item of a conversation; each says its own {@code type}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    sealed interface Item permits MessageItem, FunctionCallItem, FunctionCallOutputItem, CustomToolCallItem, CustomToolCallOutputItem {
        String type();

        String id();
    }

    /** {@code role} user, system, developer (input) or assistant; status completed or incomplete. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MessageItem(String type, String id, String status, String role, List<Part> content) implements Item {
        MessageItem(String id, String status, String role, List<Part> content) {
            this("message", id, status, role, content);
        }
    }

    /** {@code arguments}: a JSON object as text. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FunctionCallItem(String type, String id, String status, String callId, String name, String arguments) implements Item {
        FunctionCallItem(String id, String status, String callId, String name, String arguments) {
            this("function_call", id, status, callId, name, arguments);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FunctionCallOutputItem(String type, String id, String callId, String output) implements Item {
        FunctionCallOutputItem(String id, String callId, String output) {
            this("function_call_output", id, callId, output);
        }
    }

    /** A call of a freeform (custom) tool: its {@code input} is plain text, not JSON. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CustomToolCallItem(String type, String id, String status, String callId, String name, String input) implements Item {
        CustomToolCallItem(String id, String status, String callId, String name, String input) {
            this("custom_tool_call", id, status, callId, name, input);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CustomToolCallOutputItem(String type, String id, String callId, String output) implements Item {
        CustomToolCallOutputItem(String id, String callId, String output) {
            this("custom_tool_call_output", id, callId, output);
        }
    }

    /** A part of a message's content; each says its own {@code type}. */
    sealed interface Part permits InputText, OutputText, Refusal, InputImage {
        String type();
    }

    record InputText(String type, String text) implements Part {
        InputText(String text) {
            this("input_text", text);
        }
    }

    /** {@code annotations} and {@code logprobs} are always there (the SDKs require the first). */
    record OutputText(String type, String text, List<Object> annotations, List<Object> logprobs) implements Part {
        OutputText(String text) {
            this("output_text", text, List.of(), List.of());
        }
    }

    record Refusal(String type, String refusal) implements Part {
        Refusal(String refusal) {
            this("refusal", refusal);
        }
    }

    /** {@code imageUrl}: an http(s) or data URL. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record InputImage(String type, String imageUrl, String detail) implements Part {
        InputImage(String imageUrl, String detail) {
            this("input_image", imageUrl, detail);
        }
    }

    // The response object

    /**
     * Every field OpenAI sends, nullable ones included (the Java SDK's builder wants them set).
     * {@code tools} and {@code toolChoice} echo the request's.
     */
    record Response(
            String id,
            String object,
            long createdAt,
            String status,
            Long completedAt,
            boolean background,
            Error error,
            IncompleteDetails incompleteDetails,
            String instructions,
            Integer maxOutputTokens,
            Integer maxToolCalls,
            String model,
            List<Item> output,
            boolean parallelToolCalls,
            String previousResponseId,
            String promptCacheKey,
            Reasoning reasoning,
            String safetyIdentifier,
            String serviceTier,
            boolean store,
            double temperature,
            Text text,
            JsonNode toolChoice,
            List<JsonNode> tools,
            int topLogprobs,
            double topP,
            String truncation,
            Usage usage,
            String user,
            Map<String, String> metadata) {}

    /** {@code code}: server_error, rate_limit_exceeded, context_length_exceeded, insufficient_quota, ... */
    record Error(String code, String message) {}

    /** {@code reason}: max_output_tokens or content_filter. */
    record IncompleteDetails(String reason) {}

    record Reasoning(String effort, String summary) {}

    /** {@code format}: the request's, or {@code {"type":"text"}}. */
    record Text(JsonNode format, String verbosity) {}

    record Usage(int inputTokens, InputTokensDetails inputTokensDetails, int outputTokens, OutputTokensDetails outputTokensDetails,
            int totalTokens) {
        static Usage of(int input, int output) {
            return new Usage(input, new InputTokensDetails(0, 0), output, new OutputTokensDetails(0), input + output);
        }
    }

    record InputTokensDetails(int cachedTokens, int cacheWriteTokens) {}

    record OutputTokensDetails(int reasoningTokens) {}

    /** {@code DELETE /v1/responses/{id}}. */
    record Deleted(String id, String object, boolean deleted) {}

    /** {@code GET /v1/responses/{id}/input_items}. */
    record ItemList(String object, List<Item> data, String firstId, String lastId, boolean hasMore) {}

    // Stream events

    /** A stream event: its {@code type} is also the SSE event name. */
    sealed interface Event permits ResponseEvent, ItemEvent, PartEvent, TextDelta, TextDone, ArgumentsDelta, ArgumentsDone,
            CustomInputDone {
        String type();
    }

    /** created, in_progress, completed, incomplete, failed: the whole response as it stands. */
    record ResponseEvent(String type, int sequenceNumber, Response response) implements Event {}

    /** output_item.added and .done. */
    record ItemEvent(String type, int sequenceNumber, int outputIndex, Item item) implements Event {}

    /** content_part.added and .done. */
    record PartEvent(String type, int sequenceNumber, String itemId, int outputIndex, int contentIndex, Part part) implements Event {}

    record TextDelta(String type, int sequenceNumber, String itemId, int outputIndex, int contentIndex, String delta,
            List<Object> logprobs) implements Event {}

    record TextDone(String type, int sequenceNumber, String itemId, int outputIndex, int contentIndex, String text,
            List<Object> logprobs) implements Event {}

    /** function_call_arguments.delta and custom_tool_call_input.delta. */
    record ArgumentsDelta(String type, int sequenceNumber, String itemId, int outputIndex, String delta) implements Event {}

    record ArgumentsDone(String type, int sequenceNumber, String itemId, int outputIndex, String name, String arguments) implements Event {}

    record CustomInputDone(String type, int sequenceNumber, String itemId, int outputIndex, String input) implements Event {}
}
