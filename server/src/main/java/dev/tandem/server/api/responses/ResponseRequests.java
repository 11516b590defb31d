package dev.tandem.server.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.Params;
import dev.tandem.server.api.ResponseFormats;
import dev.tandem.server.api.responses.ResponsesWire.Item;
import dev.tandem.server.api.responses.ResponsesWire.Request;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.Sampling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Responses request, checked field by field (each failure a 400 naming the field), and the
 * internal request it becomes: the stored conversation it continues, then its own items, as one chat;
 * its tools; its sampling and output limit.
 */
final class ResponseRequests {
    /** What {@code include} may ask for (the SDKs' ResponseIncludable). */
    static final Set<String> INCLUDABLE = Set.of("file_search_call.results", "web_search_call.results",
            "web_search_call.action.sources", "message.input_image.image_url", "computer_call_output.output.image_url",
            "code_interpreter_call.outputs", "reasoning.encrypted_content", "message.output_text.logprobs");
    private static final int MAX_METADATA = 16;

    private ResponseRequests() {}

    /** The request's own items, and the whole conversation the model is given (stored items first). */
    record Conversation(List<Item> own, List<Item> all) {}

    static Conversation conversation(Request r, String owner, StoredResponses stored) {
        List<Item> own = ResponseItems.parse(r.input(), id -> stored.item(owner, id));
        if (r.previousResponseId() == null) {
            return new Conversation(own, own);
        }
        List<Item> all = new ArrayList<>(stored.conversation(owner, r.previousResponseId()));
        all.addAll(own);
        return new Conversation(own, all);
    }

    static InferenceRequest toInference(Request r, Conversation conversation, ResponseTools tools, Origin origin,
            int defaultMaxTokens) {
        Params.requiredText(r.model(), "model");
        ResponseFormat format = textFormat(r.text());
        checkInclude(r.include());
        checkMetadata(r.metadata());
        boolean stream = Boolean.TRUE.equals(r.stream());
        if (r.streamOptions() != null && !r.streamOptions().isNull() && !stream) {
            throw ApiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
        }
        Input.Chat chat = ResponseInput.chat(r.instructions(), conversation.all());
        Integer asked = r.maxOutputTokens();
        int maxTokens = Params.maxTokens(asked == null ? defaultMaxTokens : asked, "max_output_tokens");
        Params.range(r.temperature(), 0, 2, "temperature");
        Sampling sampling = Sampling.builder().withTemperature(r.temperature()).withTopP(r.topP()).build();
        return origin.request(Dialect.OPENAI, r.model(), chat)
                .withMaxTokens(maxTokens, asked == null)
                .withSampling(sampling)
                .withStream(stream)
                .withTools(tools.specs(), tools.choice())
                .withResponseFormat(format)
                .withUser(r.user())
                .build();
    }

    /**
     * {@code text.format}: {@code {"type": "text"}}, {@code {"type": "json_object"}} or {@code {"type":
     * "json_schema", "name", "schema", "description"?, "strict"?}} (flat, unlike Chat Completions'
     * {@code response_format}); {@code text.verbosity}: low, medium or high (a hint, echoed).
     */
    static ResponseFormat textFormat(JsonNode text) {
        if (text == null || text.isNull()) {
            return ResponseFormat.TEXT;
        }
        if (!text.isObject()) {
            throw ApiException.invalid("text", "'text' must be an object.");
        }
        JsonNode verbosity = text.path("verbosity");
        if (!verbosity.isMissingNode() && !verbosity.isNull() && !List.of("low", "medium", "high").contains(verbosity.asText())) {
            throw ApiException.invalid("text.verbosity", "'text.verbosity' must be 'low', 'medium' or 'high'.");
        }
        return ResponseFormats.responses(text.path("format"));
    }

    private static void checkInclude(List<String> include) {
        if (include == null) {
            return;
        }
        for (int i = 0; i < include.size(); i++) {
            String value = include.get(i);
            if (value == null || !INCLUDABLE.contains(value)) {
                throw ApiException.invalid("include[" + i + "]", "'include[" + i + "]' must be one of " + INCLUDABLE.stream().sorted().toList()
                        + "; got " + (value == null ? "null" : "'" + value + "'") + ".");
            }
            if (value.equals("message.output_text.logprobs")) {
                throw ApiException.invalid("include[" + i + "]", "'message.output_text.logprobs' is not served on this endpoint.");
            }
        }
    }

    private static void checkMetadata(Map<String, String> metadata) {
        if (metadata != null && metadata.size() > MAX_METADATA) {
            throw ApiException.invalid("metadata", "'metadata' may hold at most " + MAX_METADATA + " pairs.");
        }
    }
}
