package dev.tandem.server.api.anthropic;

import dev.tandem.server.api.FieldTreatment;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Nothing silently ignored, field by field: every request field of Anthropic's Messages reference is
 * either read and honoured (it changes the internal request), passed to Anthropic (with no meaning
 * locally), or essential (only Anthropic may serve it). {@code output_config} is both: its format is
 * structured output, the rest (effort) passes.
 */
class DocumentedFieldsTest {
    private static final Origin ORIGIN = new Origin("req", Caller.ANONYMOUS, null);
    private static final String BASE = "{\"model\":\"m\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    private static final String WITH_TOOLS = "{\"model\":\"m\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
            + "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}]}";

    private static List<InferenceRequest> messages(String json) {
        return List.of(MessagesRequests.toInference(Json.parse(json.getBytes(StandardCharsets.UTF_8), MessagesWire.Request.class), ORIGIN));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // Anthropic's reference (POST /v1/messages), in its order, past model, messages and max_tokens
        "cache_control      | {\"type\":\"ephemeral\"}                                                  | PASS",
        "container          | `\"container_1\"`                                                         | ESSENTIAL",
        "context_management | {\"edits\":[{\"type\":\"clear_thinking_20251015\",\"keep\":\"all\"}]}     | PASS",
        "inference_geo      | `\"us\"`                                                                  | PASS",
        "mcp_servers        | [{\"type\":\"url\",\"url\":\"https://mcp.example\",\"name\":\"x\"}]       | ESSENTIAL",
        "metadata           | {\"user_id\":\"u1\"}                                                      | HONOURED",
        "output_config      | {\"effort\":\"high\"}                                                     | PASS",
        "output_config      | {\"format\":{\"type\":\"json_schema\",\"schema\":{\"type\":\"object\"}}}  | HONOURED",
        "output_format      | {\"type\":\"json_schema\",\"schema\":{\"type\":\"object\"}}               | HONOURED",
        "service_tier       | `\"auto\"`                                                                | PASS",
        "stop_sequences     | [\"END\"]                                                                 | HONOURED",
        "stream             | true                                                                      | HONOURED",
        "system             | `\"be brief\"`                                                            | HONOURED",
        "temperature        | 0.5                                                                       | HONOURED",
        "thinking           | {\"type\":\"enabled\",\"budget_tokens\":1024}                             | PASS",
        "tools              | [{\"name\":\"g\",\"input_schema\":{\"type\":\"object\"}}]                 | HONOURED",
        "top_k              | 5                                                                         | HONOURED",
        "top_p              | 0.5                                                                       | HONOURED",
    })
    void messagesFields(String field, String value, FieldTreatment expected) {
        expected.check(Dialect.ANTHROPIC, field, value, BASE, MessagesRequests.FIELDS, MessagesWire.Request.class,
                DocumentedFieldsTest::messages);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"type\":\"any\"}                                    | HONOURED",
        "{\"type\":\"tool\",\"name\":\"f\"}                    | HONOURED",
        "{\"type\":\"none\"}                                   | HONOURED",
        "{\"type\":\"auto\",\"disable_parallel_tool_use\":true} | HONOURED",
    })
    void toolChoiceWithTools(String value, FieldTreatment expected) {
        expected.check(Dialect.ANTHROPIC, "tool_choice", value, WITH_TOOLS, MessagesRequests.FIELDS, MessagesWire.Request.class,
                DocumentedFieldsTest::messages);
    }
}
