package dev.tandem.server.ops.cache;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tandem.server.core.InferenceEvent;
import java.io.IOException;
import java.util.List;

/**
 * A finished answer as JSON, for a store outside the JVM: each event tagged by its kind. Only what
 * the client already got is in it (a Failed event, which holds an exception, is never kept).
 */
final class AnswerCodec {
    private static final TypeReference<List<InferenceEvent>> EVENTS = new TypeReference<>() {};
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addMixIn(InferenceEvent.class, Tagged.class)
            // isTerminal()/isContent() are written as properties; reading ignores them
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private AnswerCodec() {}

    static byte[] encode(List<InferenceEvent> answer) {
        if (answer.stream().anyMatch(InferenceEvent.Failed.class::isInstance)) {
            throw new IllegalArgumentException("a failed answer is not kept");
        }
        try {
            return JSON.writerFor(EVENTS).writeValueAsBytes(answer);
        } catch (IOException e) {
            throw new IllegalStateException("the answer cannot be written as JSON", e);
        }
    }

    /** @throws IOException when the bytes are not an answer this codec wrote */
    static List<InferenceEvent> decode(byte[] json) throws IOException {
        return List.copyOf(JSON.readValue(json, EVENTS));
    }

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = InferenceEvent.Started.class, name = "started"),
            @JsonSubTypes.Type(value = InferenceEvent.TextDelta.class, name = "text"),
            @JsonSubTypes.Type(value = InferenceEvent.ToolCallDelta.class, name = "tool_call"),
            @JsonSubTypes.Type(value = InferenceEvent.ThinkingDelta.class, name = "thinking"),
            @JsonSubTypes.Type(value = InferenceEvent.Finished.class, name = "finished")})
    private interface Tagged {}
}
