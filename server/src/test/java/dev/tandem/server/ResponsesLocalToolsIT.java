package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.responses.CustomTool;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseCustomToolCall;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import com.openai.models.responses.StructuredResponse;
import com.openai.models.responses.ToolChoiceCustom;
import com.openai.models.responses.ToolChoiceFunction;
import com.openai.models.responses.ToolChoiceOptions;
import dev.tandem.models.Engines;
import dev.tandem.server.fakes.SchemaCheck;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Responses API's function calls and structured output served by the local model (a random-weight
 * checkpoint at temperature 1, which knows nothing of tools or JSON), driven by the official Java SDK
 * with a local-only key: every call with valid arguments, and every answer that validates against its
 * schema, is the work of the shared local tool path (prompt, constraint, parser) through the Responses
 * edge, whole and streamed, and a call's result goes back as a {@code function_call_output}.
 */
class ResponsesLocalToolsIT {
    static final String MASTER = "master-responses-tools-" + System.nanoTime();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String WEATHER_SCHEMA = LocalToolsSdkIT.WEATHER_SCHEMA;

    @TempDir
    static Path dir;
    static TestServer server;
    static String key;
    static OpenAIClient sdk;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("auth.enabled", "true", "auth.masterKey", MASTER),
                TestServer.longContext(), Engines::open, true);
        HttpResponse<String> created = server.post("/admin/keys", "{\"name\":\"local\",\"policy\":\"local-only\"}",
                "authorization", "Bearer " + MASTER);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        key = TestServer.json(created.body()).get("key").asText();
        sdk = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey(key).maxRetries(0).responseValidation(true).build();
    }

    @AfterAll
    static void stop() {
        sdk.close();
        server.close();
    }

    static FunctionTool weatherTool() {
        FunctionTool.Parameters.Builder parameters = FunctionTool.Parameters.builder();
        schemaOf(WEATHER_SCHEMA).forEach((k, v) -> parameters.putAdditionalProperty(k, JsonValue.from(v)));
        return FunctionTool.builder().name("get_weather").description("Current weather").strict(false).parameters(parameters.build()).build();
    }

    static FunctionTool timeTool() {
        return FunctionTool.builder().name("get_time").description("The time now").strict(false)
                .parameters(FunctionTool.Parameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build()).build();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> schemaOf(String schema) {
        try {
            return JSON.readValue(schema, Map.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ResponseCreateParams.Builder weatherQuestion() {
        return ResponseCreateParams.builder().model(TestServer.MODEL).instructions("Use the tools.").input("What is the weather in Paris?")
                .addTool(weatherTool()).addTool(timeTool()).toolChoice(ToolChoiceOptions.REQUIRED).temperature(1.0).maxOutputTokens(160);
    }

    static void assertValidCall(ResponseFunctionToolCall call) {
        assertThat(call.id()).hasValueSatisfying(id -> assertThat(id).startsWith("fc_"));
        assertThat(call.callId()).isNotBlank();
        assertThat(call.status()).hasValueSatisfying(s -> assertThat(s.asString()).isEqualTo("completed"));
        if (call.name().equals("get_weather")) {
            assertThat(SchemaCheck.errors(WEATHER_SCHEMA, call.arguments())).as(call.arguments()).isEmpty();
        } else {
            assertThat(call.name()).isEqualTo("get_time");
            assertThat(SchemaCheck.parse(call.arguments()).isObject()).as(call.arguments()).isTrue();
        }
    }

    static List<ResponseFunctionToolCall> calls(Response r) {
        return r.output().stream().flatMap(i -> i.functionCall().stream()).toList();
    }

    static String outputText(Response r) {
        return r.output().stream().flatMap(i -> i.message().stream()).flatMap(m -> m.content().stream())
                .flatMap(c -> c.outputText().stream()).map(t -> t.text()).collect(Collectors.joining());
    }

    static String kind(ResponseStreamEvent e) {
        return ObjectMappers.jsonMapper().valueToTree(e).path("type").asText();
    }

    @Test
    void requiredCallsComeAsFunctionCallItemsWithValidArgumentsWholeAndStreamed() {
        for (int run = 0; run < 3; run++) {
            // When the SDK requires a call
            Response whole = sdk.responses().create(weatherQuestion().build());

            // Then the answer is function_call items, each with its ids and arguments valid for its tool
            assertThat(whole.status()).contains(ResponseStatus.COMPLETED);
            assertThat(calls(whole)).isNotEmpty();
            calls(whole).forEach(ResponsesLocalToolsIT::assertValidCall);

            // And streamed: each call announced, its arguments in deltas, then done with its name and whole arguments
            ResponseAccumulator accumulator = ResponseAccumulator.create();
            List<ResponseStreamEvent> events = new ArrayList<>();
            try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(weatherQuestion().build())) {
                stream.stream().forEach(e -> events.add(accumulator.accumulate(e)));
            }
            Response streamed = accumulator.response();
            assertThat(streamed.status()).contains(ResponseStatus.COMPLETED);
            List<ResponseFunctionToolCall> streamedCalls = calls(streamed);
            assertThat(streamedCalls).isNotEmpty();
            streamedCalls.forEach(ResponsesLocalToolsIT::assertValidCall);
            List<String> kinds = events.stream().map(ResponsesLocalToolsIT::kind).toList();
            assertThat(kinds).containsSubsequence("response.created", "response.output_item.added", "response.function_call_arguments.delta",
                    "response.function_call_arguments.done", "response.output_item.done", "response.completed");
            List<ResponseStreamEvent> done = events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDone).toList();
            assertThat(done).hasSameSizeAs(streamedCalls);
            for (int i = 0; i < done.size(); i++) {
                assertThat(done.get(i).asFunctionCallArgumentsDone().arguments()).isEqualTo(streamedCalls.get(i).arguments());
                assertThat(ObjectMappers.jsonMapper().valueToTree(done.get(i)).path("name").asText()).isEqualTo(streamedCalls.get(i).name());
                String id = streamedCalls.get(i).id().orElseThrow();
                String deltas = events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDelta).map(e -> e.asFunctionCallArgumentsDelta())
                        .filter(d -> d.itemId().equals(id)).map(d -> d.delta()).collect(Collectors.joining());
                assertThat(deltas).isEqualTo(streamedCalls.get(i).arguments());
            }
        }
    }

    @Test
    void aNamedToolWithoutParallelCallsIsCalledOnceAndItsOutputGoesBack() {
        // Given a call of the named tool, parallel calls off
        Response first = sdk.responses().create(weatherQuestion()
                .toolChoice(ToolChoiceFunction.builder().name("get_weather").build()).parallelToolCalls(false).build());
        List<ResponseFunctionToolCall> calls = calls(first);
        assertThat(calls).hasSize(1);
        ResponseFunctionToolCall call = calls.get(0);
        assertThat(call.name()).isEqualTo("get_weather");
        assertValidCall(call);

        // When the stored response is continued with the call's output, calls now forbidden
        Response next = sdk.responses().create(ResponseCreateParams.builder().model(TestServer.MODEL).previousResponseId(first.id())
                .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                        .callId(call.callId()).output("{\"temp_c\":18,\"sky\":\"sunny\"}").build())))
                .addTool(weatherTool()).toolChoice(ToolChoiceOptions.NONE).temperature(0.0).maxOutputTokens(8).build());

        // Then the model answers in text, after a prompt that held the whole conversation (the question, the call, its output)
        assertThat(calls(next)).isEmpty();
        assertThat(next.output()).hasSize(1);
        assertThat(next.output().get(0).isMessage()).isTrue();
        assertThat(next.status().orElseThrow()).isIn(ResponseStatus.COMPLETED, ResponseStatus.INCOMPLETE);
        Response questionOnly = sdk.responses().create(ResponseCreateParams.builder().model(TestServer.MODEL).store(false)
                .input("What is the weather in Paris?").addTool(weatherTool()).toolChoice(ToolChoiceOptions.NONE).maxOutputTokens(1).build());
        assertThat(next.usage().orElseThrow().inputTokens()).isGreaterThan(questionOnly.usage().orElseThrow().inputTokens()
                + call.arguments().length() / 4);

        // And statelessly, the call sent back inline with its output, the same conversation makes the same prompt
        Response stateless = sdk.responses().create(ResponseCreateParams.builder().model(TestServer.MODEL).store(false)
                .inputOfResponse(List.of(
                        ResponseInputItem.ofEasyInputMessage(com.openai.models.responses.EasyInputMessage.builder()
                                .role(com.openai.models.responses.EasyInputMessage.Role.USER).content("What is the weather in Paris?").build()),
                        ResponseInputItem.ofFunctionCall(call),
                        ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                                .callId(call.callId()).output("{\"temp_c\":18,\"sky\":\"sunny\"}").build())))
                .addTool(weatherTool()).toolChoice(ToolChoiceOptions.NONE).temperature(0.0).maxOutputTokens(8).build());
        assertThat(stateless.output().get(0).isMessage()).isTrue();
        // (the first request's instructions are not carried over by previous_response_id)
        assertThat(stateless.usage().orElseThrow().inputTokens()).isEqualTo(next.usage().orElseThrow().inputTokens());
        assertThat(outputText(stateless)).isEqualTo(outputText(next)); // temperature 0: the same prompt, the same answer
    }

    @Test
    void structuredOutputParsesIntoItsClassAndValidatesAgainstTheSchemaSent() {
        for (int run = 0; run < 3; run++) {
            // When the SDK asks for an Invoice (a strict json_schema it derives from the class)
            StructuredResponse<LocalToolsSdkIT.Invoice> r = sdk.responses().create(ResponseCreateParams.builder().model(TestServer.MODEL)
                    .input("Invoice #4471 from Acme, EUR 1250, paid.").text(LocalToolsSdkIT.Invoice.class)
                    .temperature(1.0).maxOutputTokens(300).build());

            // Then it parses the answer into one (a missing or mistyped field would have thrown)
            LocalToolsSdkIT.Invoice invoice = r.output().stream().flatMap(i -> i.message().stream()).flatMap(m -> m.content().stream())
                    .flatMap(c -> c.outputText().stream()).findFirst().orElseThrow();
            assertThat(invoice.number).isNotNull();
            assertThat(invoice.items).isNotNull();
            assertThat(r.status()).contains(ResponseStatus.COMPLETED);

            // And the stored response echoes the format it was given, and its text validates against that schema
            HttpResponse<String> stored = server.get("/v1/responses/" + r.id(), "authorization", "Bearer " + key);
            JsonNode body = TestServer.json(stored.body());
            JsonNode format = body.at("/text/format");
            assertThat(format.path("type").asText()).isEqualTo("json_schema");
            assertThat(format.path("strict").asBoolean()).isTrue();
            assertThat(SchemaCheck.errors(format.path("schema"), body.at("/output/0/content/0/text").asText())).isEmpty();
        }
    }

    static ResponseCreateParams.Builder weatherReport(boolean strict) {
        ResponseFormatTextJsonSchemaConfig.Schema.Builder schema = ResponseFormatTextJsonSchemaConfig.Schema.builder();
        schemaOf(WEATHER_SCHEMA).forEach((k, v) -> schema.putAdditionalProperty(k, JsonValue.from(v)));
        return ResponseCreateParams.builder().model(TestServer.MODEL).input("Weather in Paris, as JSON.").temperature(1.0).maxOutputTokens(200)
                .text(ResponseTextConfig.builder().format(ResponseFormatTextJsonSchemaConfig.builder().name("weather")
                        .schema(schema.build()).strict(strict).build()).build());
    }

    @Test
    void streamedStructuredOutputValidatesAndJsonObjectIsAnObject() {
        for (boolean strict : List.of(true, false)) {
            // When a json_schema answer is streamed
            ResponseAccumulator accumulator = ResponseAccumulator.create();
            StringBuilder deltas = new StringBuilder();
            try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(weatherReport(strict).build())) {
                stream.stream().forEach(e -> {
                    accumulator.accumulate(e);
                    e.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
                });
            }
            // Then its deltas join into the whole text, which validates
            Response r = accumulator.response();
            assertThat(deltas.toString()).isEqualTo(outputText(r));
            assertThat(SchemaCheck.errors(WEATHER_SCHEMA, outputText(r))).as(outputText(r)).isEmpty();
            assertThat(r.status()).contains(ResponseStatus.COMPLETED);
        }
        // json_object: any JSON object, whole
        Response object = sdk.responses().create(ResponseCreateParams.builder().model(TestServer.MODEL).input("JSON please")
                .text(ResponseTextConfig.builder().format(ResponseFormatJsonObject.builder().build()).build())
                .temperature(1.0).maxOutputTokens(120).build());
        assertThat(SchemaCheck.parse(outputText(object)).isObject()).as(outputText(object)).isTrue();
    }

    @Test
    void aStrictSchemaTheModelCannotFollowIsRefusedNamingTheKeyword() {
        // Given a strict schema with a recursive reference (no finite grammar enforces it)
        String recursive = "{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/node\"}}}},"
                + "\"$ref\":\"#/$defs/node\"}";
        HttpResponse<String> r = server.post("/v1/responses", "{\"model\":\"" + TestServer.MODEL + "\",\"input\":\"x\",\"text\":{\"format\":"
                + "{\"type\":\"json_schema\",\"name\":\"tree\",\"strict\":true,\"schema\":" + recursive + "}}}",
                "authorization", "Bearer " + key);
        // Then a 400 in OpenAI's shape names it
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(TestServer.json(r.body()).at("/error/message").asText()).contains("$ref").contains("strict");
        // And a format name OpenAI would not take is refused by the field's name
        assertThatThrownBy(() -> sdk.responses().create(ResponseCreateParams.builder().model(TestServer.MODEL).input("x")
                .text(ResponseTextConfig.builder().format(ResponseFormatTextJsonSchemaConfig.builder().name("has space")
                        .schema(ResponseFormatTextJsonSchemaConfig.Schema.builder().build()).build()).build()).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("text.format.name");
    }

    @Test
    void aFreeformToolIsCalledWithItsInputAsPlainText() {
        // When Codex's freeform apply_patch tool must be called
        ResponseCreateParams params = ResponseCreateParams.builder().model(TestServer.MODEL).input("Add a Health class.")
                .addTool(CustomTool.builder().name("apply_patch").description("Apply a patch to files.").build())
                .toolChoice(ToolChoiceCustom.builder().name("apply_patch").build()).temperature(1.0).maxOutputTokens(120).build();
        Response whole = sdk.responses().create(params);

        // Then it comes back as a custom_tool_call whose input is text, not JSON around it
        List<ResponseCustomToolCall> calls = whole.output().stream().flatMap(i -> i.customToolCall().stream()).toList();
        assertThat(calls).isNotEmpty();
        assertThat(calls.get(0).name()).isEqualTo("apply_patch");
        assertThat(calls.get(0).callId()).isNotBlank();

        // And streamed, its input arrives in custom_tool_call_input events and the item has it whole
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(params)) {
            stream.stream().forEach(events::add);
        }
        ResponseOutputItem item = events.stream().filter(ResponseStreamEvent::isOutputItemDone).map(e -> e.asOutputItemDone().item())
                .filter(ResponseOutputItem::isCustomToolCall).findFirst().orElseThrow();
        ResponseStreamEvent inputDone = events.stream().filter(ResponseStreamEvent::isCustomToolCallInputDone).findFirst().orElseThrow();
        assertThat(inputDone.asCustomToolCallInputDone().input()).isEqualTo(item.asCustomToolCall().input());
    }
}
