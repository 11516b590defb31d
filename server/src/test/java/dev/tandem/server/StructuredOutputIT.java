package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.models.Engines;
import dev.tandem.server.fakes.SchemaCheck;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Structured output through HTTP in both dialects, streamed and not: for a set of schemas (objects,
 * nested arrays, enums, required and optional properties, strings with escapes, numbers), every answer
 * of a random-weight model at temperature 1 parses and validates; only the constraint can make it so.
 */
class StructuredOutputIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of(), TestServer.longContext(), Engines::open, true);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ObjectNode chat(JsonNode schema, long seed, boolean stream) {
        ObjectNode body = JSON.createObjectNode().put("model", TestServer.MODEL).put("temperature", 1.0).put("seed", seed)
                .put("max_tokens", 200).put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", "Answer in JSON.");
        ObjectNode format = body.putObject("response_format").put("type", "json_schema");
        format.putObject("json_schema").put("name", "answer").put("strict", true).set("schema", schema);
        return body;
    }

    private static ObjectNode messages(JsonNode schema, boolean stream) {
        ObjectNode body = JSON.createObjectNode().put("model", TestServer.MODEL).put("max_tokens", 200).put("stream", stream);
        body.putArray("messages").addObject().put("role", "user").put("content", "Answer in JSON.");
        body.putObject("output_config").put("effort", "low").putObject("format").put("type", "json_schema").set("schema", schema);
        return body;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // an object with required and optional properties, a string with escapes allowed, numbers
        "{'type':'object','properties':{'name':{'type':'string','maxLength':24},'age':{'type':'integer'},'score':{'type':'number'}},"
                + "'required':['name','score'],'additionalProperties':false}",
        // nested arrays
        "{'type':'object','properties':{'grid':{'type':'array','items':{'type':'array','items':{'type':'integer'},'maxItems':3},"
                + "'minItems':1,'maxItems':3}},'required':['grid'],'additionalProperties':false}",
        // enums and a nullable value
        "{'type':'object','properties':{'unit':{'enum':['celsius','fahrenheit']},'value':{'anyOf':[{'type':'number'},{'type':'null'}]},"
                + "'ok':{'type':'boolean'}},'required':['unit','value','ok'],'additionalProperties':false}",
        // an array of objects through $defs
        "{'$defs':{'step':{'type':'object','properties':{'done':{'type':'boolean'},'note':{'type':'string','maxLength':16}},"
                + "'required':['done'],'additionalProperties':false}},'type':'object','properties':{'steps':{'type':'array',"
                + "'items':{'$ref':'#/$defs/step'},'maxItems':4}},'required':['steps'],'additionalProperties':false}"
    })
    void everyAnswerParsesAndValidatesInBothDialectsStreamedOrNot(String schemaText) throws Exception {
        JsonNode schema = JSON.readTree(schemaText.replace('\'', '"'));
        for (long seed = 1; seed <= 3; seed++) {
            // OpenAI, whole
            HttpResponse<String> whole = server.post("/v1/chat/completions", chat(schema, seed, false).toString());
            assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
            JsonNode choice = JSON.readTree(whole.body()).at("/choices/0");
            assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
            assertThat(SchemaCheck.errors(schema, choice.at("/message/content").asText())).as(choice.toString()).isEmpty();
            // OpenAI, streamed: the content deltas join into a valid answer
            HttpResponse<String> streamed = server.post("/v1/chat/completions", chat(schema, seed + 10, true).toString());
            String content = Sse.parse(streamed.body()).data().stream().filter(d -> !d.equals("[DONE]"))
                    .map(d -> TestServer.json(d).at("/choices/0/delta/content").asText(""))
                    .collect(Collectors.joining());
            assertThat(SchemaCheck.errors(schema, content)).as(content).isEmpty();
        }
        // Anthropic (output_config.format), whole and streamed
        for (int run = 0; run < 2; run++) {
            HttpResponse<String> whole = server.post("/v1/messages", messages(schema, false).toString(), "anthropic-version", "2023-06-01");
            assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
            JsonNode message = JSON.readTree(whole.body());
            assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
            assertThat(SchemaCheck.errors(schema, message.at("/content/0/text").asText())).as(whole.body()).isEmpty();
            HttpResponse<String> streamed = server.post("/v1/messages", messages(schema, true).toString(), "anthropic-version", "2023-06-01");
            String text = Sse.parse(streamed.body()).frames().stream().filter(f -> "content_block_delta".equals(f.event()))
                    .map(f -> TestServer.json(f.data()).at("/delta/text").asText("")).collect(Collectors.joining());
            assertThat(SchemaCheck.errors(schema, text)).as(text).isEmpty();
        }
    }

    private static final String TOOL_SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":12}},"
            + "\"required\":[\"city\"],\"additionalProperties\":false}";
    private static final String ANSWER_SCHEMA = "{\"type\":\"object\",\"properties\":{\"summary\":{\"type\":\"string\",\"maxLength\":20}},"
            + "\"required\":[\"summary\"],\"additionalProperties\":false}";

    /** One answer of tool_choice auto with a JSON format: a call of get_weather with valid arguments, or JSON of the format. */
    private static boolean calledElseValidJson(String name, String arguments, String text, String context) {
        if (name != null) {
            assertThat(name).as(context).isEqualTo("get_weather");
            assertThat(SchemaCheck.errors(TOOL_SCHEMA, arguments)).as(context).isEmpty();
            return true;
        }
        assertThat(SchemaCheck.errors(ANSWER_SCHEMA, text)).as(context).isEmpty();
        return false;
    }

    @org.junit.jupiter.api.Test
    void toolsWithToolChoiceAutoAndAJsonFormatGiveACallOrTheFormatsJsonInEachDialect() throws Exception {
        JsonNode toolSchema = JSON.readTree(TOOL_SCHEMA);
        JsonNode answerSchema = JSON.readTree(ANSWER_SCHEMA);
        // Chat Completions, with a seed: over a few seeds the model takes both ways
        int calls = 0;
        int answers = 0;
        for (long seed = 1; seed <= 10; seed++) {
            ObjectNode body = chat(answerSchema, seed, false);
            ObjectNode function = body.putArray("tools").addObject().put("type", "function").putObject("function");
            function.put("name", "get_weather").set("parameters", toolSchema);
            body.put("tool_choice", "auto");
            HttpResponse<String> r = server.post("/v1/chat/completions", body.toString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode choice = JSON.readTree(r.body()).at("/choices/0");
            JsonNode call = choice.at("/message/tool_calls/0/function");
            boolean called = calledElseValidJson(call.isMissingNode() ? null : call.path("name").asText(), call.path("arguments").asText(),
                    choice.at("/message/content").asText(), r.body());
            assertThat(choice.path("finish_reason").asText()).as(r.body()).isEqualTo(called ? "tool_calls" : "stop");
            calls += called ? 1 : 0;
            answers += called ? 0 : 1;
        }
        assertThat(calls).as("some answers call the tool").isPositive();
        assertThat(answers).as("some answers are the format's JSON").isPositive();

        for (int run = 0; run < 3; run++) {
            // Responses (text.format with function tools, as Codex sends them with --output-schema)
            ObjectNode responses = JSON.createObjectNode().put("model", TestServer.MODEL).put("max_output_tokens", 200).put("store", false)
                    .put("input", "Weather, or a summary?").put("tool_choice", "auto");
            responses.putArray("tools").addObject().put("type", "function").put("name", "get_weather").put("strict", true)
                    .set("parameters", toolSchema);
            responses.putObject("text").putObject("format").put("type", "json_schema").put("name", "summary").put("strict", true)
                    .set("schema", answerSchema);
            HttpResponse<String> r = server.post("/v1/responses", responses.toString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode item = JSON.readTree(r.body()).at("/output/0");
            boolean functionCall = item.path("type").asText().equals("function_call");
            calledElseValidJson(functionCall ? item.path("name").asText() : null, item.path("arguments").asText(),
                    item.at("/content/0/text").asText(), r.body());

            // Anthropic messages (output_config.format with tools)
            ObjectNode messages = messages(answerSchema, false);
            messages.putArray("tools").addObject().put("name", "get_weather").set("input_schema", toolSchema);
            r = server.post("/v1/messages", messages.toString(), "anthropic-version", "2023-06-01");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode message = JSON.readTree(r.body());
            JsonNode toolUse = message.path("content").findParent("input");
            boolean toolUsed = calledElseValidJson(toolUse == null ? null : toolUse.path("name").asText(),
                    toolUse == null ? null : toolUse.path("input").toString(), message.at("/content/0/text").asText(), r.body());
            assertThat(message.path("stop_reason").asText()).as(r.body()).isEqualTo(toolUsed ? "tool_use" : "end_turn");
        }
    }
}
