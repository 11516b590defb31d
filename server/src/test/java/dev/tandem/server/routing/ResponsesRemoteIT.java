package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFormatTextJsonSchemaConfig;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseTextConfig;
import com.openai.models.responses.ToolChoiceFunction;
import dev.tandem.testkit.FakeUpstream;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Responses API served by the remote backends, translated both ways: the official Java SDK's
 * function-call round trips (stateless, with the call sent back, and stateful, with
 * {@code previous_response_id}) through OpenAI's Chat Completions and Claude's Messages, streamed
 * and not, and what each upstream was sent.
 */
class ResponsesRemoteIT extends HybridServerSetup {
    private static final ObjectMapper JSON = new ObjectMapper();
    private OpenAIClient sdk;

    @Override
    protected String policy() {
        return "prefer-local";
    }

    @BeforeAll
    void client() {
        sdk = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("not-checked").maxRetries(0)
                .responseValidation(true).build();
    }

    @AfterAll
    void closeClient() {
        sdk.close();
    }

    static FunctionTool weatherTool() {
        return FunctionTool.builder().name("get_weather").description("Current weather in a city").strict(false)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                        .build())
                .build();
    }

    static ResponseCreateParams.Builder weatherQuestion(String model) {
        return ResponseCreateParams.builder().model(model).instructions("Use the tools.").input("Weather in Rome?")
                .addTool(weatherTool()).maxOutputTokens(200);
    }

    static EasyInputMessage user(String text) {
        return EasyInputMessage.builder().role(EasyInputMessage.Role.USER).content(text).build();
    }

    static ResponseInputItem result(String callId, String output) {
        return ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder().callId(callId).output(output).build());
    }

    @Test
    void aFunctionCallRoundTripThroughOpenAiChatCompletions() throws Exception {
        // Given OpenAI answers with a call, then with text
        openai.enqueue(new FakeUpstream.Reply(new Answer(List.of(), List.of(new ToolCall("call_X2PAkDJInno9VVnNkDrfhboW",
                "get_weather", List.of("{\"city\":", "\"Rome\"}"))), null, null, 57, 18, null)));
        // When the SDK asks with a function tool
        Response first = sdk.responses().create(weatherQuestion("gpt-4o").build());

        // Then the answer is one function_call item
        assertThat(first.status()).contains(ResponseStatus.COMPLETED);
        assertThat(first.output()).hasSize(1);
        ResponseFunctionToolCall call = first.output().get(0).asFunctionCall();
        assertThat(call.id()).hasValueSatisfying(id -> assertThat(id).startsWith("fc_"));
        assertThat(call.callId()).isEqualTo("call_X2PAkDJInno9VVnNkDrfhboW");
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(JSON.readTree(call.arguments()).path("city").asText()).isEqualTo("Rome");
        assertThat(first.usage().orElseThrow().inputTokens()).isEqualTo(57);
        assertThat(first.usage().orElseThrow().outputTokens()).isEqualTo(18);
        // And OpenAI got Chat Completions: the instructions as system, the tool as a function
        JsonNode asked = JSON.readTree(openai.lastRequest().body());
        assertThat(asked.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(asked.at("/messages/0/content").asText()).isEqualTo("Use the tools.");
        assertThat(asked.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(asked.at("/tools/0/function/parameters/properties/city/type").asText()).isEqualTo("string");

        // When the client sends the call back with its result, statelessly
        openai.enqueue(new FakeUpstream.Reply(Answer.text("Sunny, ", "21 C.").withUsage(80, 6)));
        Response stateless = sdk.responses().create(ResponseCreateParams.builder().model("gpt-4o").store(false)
                .inputOfResponse(List.of(ResponseInputItem.ofEasyInputMessage(user("Weather in Rome?")),
                        ResponseInputItem.ofFunctionCall(call), result(call.callId(), "{\"temp_c\":21}")))
                .addTool(weatherTool()).build());
        JsonNode statelessBody = JSON.readTree(openai.lastRequest().body());

        // Then OpenAI sees the assistant's call and the tool's answer, and the client the text
        assertThat(outputText(stateless)).isEqualTo("Sunny, 21 C.");
        JsonNode messages = statelessBody.path("messages");
        assertThat(messages.get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).at("/tool_calls/0/id").asText()).isEqualTo("call_X2PAkDJInno9VVnNkDrfhboW");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("tool");
        assertThat(messages.get(2).path("tool_call_id").asText()).isEqualTo("call_X2PAkDJInno9VVnNkDrfhboW");
        assertThat(messages.get(2).path("content").asText()).isEqualTo("{\"temp_c\":21}");

        // When it continues the stored response with the result only
        openai.enqueue(new FakeUpstream.Reply(Answer.text("Sunny, ", "21 C.").withUsage(80, 6)));
        Response stateful = sdk.responses().create(ResponseCreateParams.builder().model("gpt-4o")
                .previousResponseId(first.id()).inputOfResponse(List.of(result(call.callId(), "{\"temp_c\":21}")))
                .addTool(weatherTool()).build());

        // Then OpenAI sees the same conversation (the first request's instructions are not carried over)
        assertThat(outputText(stateful)).isEqualTo("Sunny, 21 C.");
        assertThat(JSON.readTree(openai.lastRequest().body()).path("messages")).isEqualTo(messages);
    }

    @Test
    void aStreamedAnswerWithTextAndACallThroughClaude() throws Exception {
        // Given Claude says something, then calls a tool with its input in parts
        anthropic.enqueue(new FakeUpstream.Reply(Answer.text("Let me ", "check.").withToolCalls(
                new ToolCall("toolu_01XYZ", "get_weather", List.of("{\"city\":", " \"Rome\"}"))).withUsage(90, 30)));

        // When the SDK streams, forcing the tool
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(weatherQuestion("claude-sonnet-4-5")
                .toolChoice(ToolChoiceFunction.builder().name("get_weather").build()).build())) {
            stream.stream().forEach(e -> events.add(accumulator.accumulate(e)));
        }
        Response r = accumulator.response();

        // Then the text is item 0 and the call item 1, each announced, filled and finished in turn
        assertThat(r.output()).hasSize(2);
        assertThat(r.output().get(0).asMessage().content().get(0).asOutputText().text()).isEqualTo("Let me check.");
        ResponseFunctionToolCall call = r.output().get(1).asFunctionCall();
        assertThat(call.callId()).isEqualTo("toolu_01XYZ");
        assertThat(JSON.readTree(call.arguments()).path("city").asText()).isEqualTo("Rome");
        List<String> kinds = events.stream().map(ResponsesRemoteIT::kind).toList();
        int textDone = kinds.indexOf("response.output_item.done");
        int callAdded = kinds.lastIndexOf("response.output_item.added");
        assertThat(textDone).isLessThan(callAdded);
        assertThat(kinds.subList(callAdded, kinds.size())).containsSubsequence("response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed");
        ResponseStreamEvent argumentsDone = events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDone).findFirst().orElseThrow();
        assertThat(argumentsDone.asFunctionCallArgumentsDone().arguments()).isEqualTo(call.arguments());
        assertThat(ObjectMappers.jsonMapper().valueToTree(argumentsDone).path("name").asText()).isEqualTo("get_weather");
        assertThat(r.usage().orElseThrow().inputTokens()).isEqualTo(90);
        assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(30);
        // And Claude was sent the tool and made to use it
        JsonNode asked = JSON.readTree(anthropic.lastRequest().body());
        assertThat(asked.at("/tools/0/input_schema/properties/city/type").asText()).isEqualTo("string");
        assertThat(asked.at("/tool_choice/type").asText()).isEqualTo("tool");
        assertThat(asked.at("/tool_choice/name").asText()).isEqualTo("get_weather");
        assertThat(asked.path("system").asText()).isEqualTo("Use the tools.");

        // When the stored streamed response is continued with the tool's result
        anthropic.enqueue(new FakeUpstream.Reply(Answer.text("Sunny.").withUsage(120, 3)));
        Response next = sdk.responses().create(ResponseCreateParams.builder().model("claude-sonnet-4-5").previousResponseId(r.id())
                .inputOfResponse(List.of(result("toolu_01XYZ", "21 C and sunny"))).addTool(weatherTool()).maxOutputTokens(50).build());

        // Then Claude gets its own turn back (text and tool_use) and the result as a tool_result block
        assertThat(outputText(next)).isEqualTo("Sunny.");
        JsonNode turns = JSON.readTree(anthropic.lastRequest().body()).path("messages");
        assertThat(turns).hasSize(3);
        assertThat(turns.at("/1/role").asText()).isEqualTo("assistant");
        assertThat(turns.at("/1/content/0/text").asText()).isEqualTo("Let me check.");
        assertThat(turns.at("/1/content/1/type").asText()).isEqualTo("tool_use");
        assertThat(turns.at("/1/content/1/input/city").asText()).isEqualTo("Rome");
        assertThat(turns.at("/2/content/0/type").asText()).isEqualTo("tool_result");
        assertThat(turns.at("/2/content/0/tool_use_id").asText()).isEqualTo("toolu_01XYZ");
    }

    static ResponseCreateParams.Builder weatherReport(String model) {
        return ResponseCreateParams.builder().model(model).input("Weather in Rome, as JSON.").maxOutputTokens(100)
                .text(ResponseTextConfig.builder().format(ResponseFormatTextJsonSchemaConfig.builder().name("weather").strict(true)
                        .schema(ResponseFormatTextJsonSchemaConfig.Schema.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                                .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                                .build())
                        .build()).build());
    }

    @Test
    void structuredOutputReachesEachUpstreamInItsOwnWords() throws Exception {
        // When the SDK asks OpenAI for a json_schema answer
        openai.enqueue(new FakeUpstream.Reply(Answer.text("{\"city\":", "\"Rome\"}").withUsage(20, 6)));
        Response fromOpenAi = sdk.responses().create(weatherReport("gpt-4o").build());

        // Then OpenAI got Chat Completions' response_format with the schema, its name and strict
        assertThat(outputText(fromOpenAi)).isEqualTo("{\"city\":\"Rome\"}");
        JsonNode format = JSON.readTree(openai.lastRequest().body()).path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.at("/json_schema/name").asText()).isEqualTo("weather");
        assertThat(format.at("/json_schema/strict").asBoolean()).isTrue();
        assertThat(format.at("/json_schema/schema/properties/city/type").asText()).isEqualTo("string");
        // And the response echoes the format it was asked for
        assertThat(fromOpenAi.text().orElseThrow().format().orElseThrow().isJsonSchema()).isTrue();

        // When the same is asked of Claude, streamed
        anthropic.enqueue(new FakeUpstream.Reply(Answer.text("{\"city\":", "\"Rome\"}").withUsage(20, 6)));
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(weatherReport("claude-sonnet-4-5").build())) {
            stream.stream().forEach(accumulator::accumulate);
        }

        // Then Claude got it as output_config.format
        assertThat(outputText(accumulator.response())).isEqualTo("{\"city\":\"Rome\"}");
        JsonNode claudeFormat = JSON.readTree(anthropic.lastRequest().body()).at("/output_config/format");
        assertThat(claudeFormat.path("type").asText()).isEqualTo("json_schema");
        assertThat(claudeFormat.at("/schema/required/0").asText()).isEqualTo("city");
    }

    @Test
    void anAnswerCutByTheLimitIsIncomplete() {
        openai.enqueue(new FakeUpstream.Reply(Answer.text("one", " two").withStop("length", null).withUsage(9, 2)));

        Response r = sdk.responses().create(ResponseCreateParams.builder().model("gpt-4o").input("count").maxOutputTokens(2).build());

        assertThat(r.status()).contains(ResponseStatus.INCOMPLETE);
        assertThat(r.incompleteDetails().orElseThrow().reason().orElseThrow().asString()).isEqualTo("max_output_tokens");
        assertThat(r.output().get(0).asMessage().status().asString()).isEqualTo("incomplete");
        assertThat(outputText(r)).isEqualTo("one two");
    }

    @Test
    void aStreamThatFailsMidwayEndsWithResponseFailed() {
        // Given Claude fails after its first words
        anthropic.enqueue(new FakeUpstream.ErrorEvent(1, "overloaded_error", "Overloaded", Answer.text("It ", "is ", "sunny.")));

        // When the client streams
        java.net.http.HttpResponse<String> r = server.post("/v1/responses",
                "{\"model\":\"claude-sonnet-4-5\",\"input\":\"Weather?\",\"stream\":true,\"max_output_tokens\":50}");

        // Then the stream, begun with a 200, ends with response.failed in sequence, its code one Codex acts on
        assertThat(r.statusCode()).isEqualTo(200);
        List<JsonNode> events = dev.tandem.server.Sse.parse(r.body()).data().stream().map(ResponsesClientsIT::json).toList();
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).path("sequence_number").asInt()).isEqualTo(i);
            assertThat(events.get(i).has("error")).isFalse();
        }
        JsonNode failed = events.get(events.size() - 1);
        assertThat(failed.path("type").asText()).isEqualTo("response.failed");
        assertThat(failed.at("/response/status").asText()).isEqualTo("failed");
        assertThat(failed.at("/response/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(failed.at("/response/error/message").asText()).contains("Overloaded");
        assertThat(failed.at("/response/output/0/content/0/text").asText()).isEqualTo("It ");
        assertThat(failed.at("/response/output/0/status").asText()).isEqualTo("incomplete");
        // And the SDK, reading the same stream, sees the failure as an event, not as an exception
        anthropic.enqueue(new FakeUpstream.ErrorEvent(1, "api_error", "Internal server error", Answer.text("It ", "is ", "sunny.")));
        List<ResponseStreamEvent> sdkEvents = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = sdk.responses().createStreaming(ResponseCreateParams.builder()
                .model("claude-sonnet-4-5").input("Weather?").maxOutputTokens(50).build())) {
            stream.stream().forEach(sdkEvents::add);
        }
        ResponseStreamEvent last = sdkEvents.get(sdkEvents.size() - 1);
        assertThat(last.isFailed()).isTrue();
        assertThat(last.asFailed().response().error().orElseThrow().code().asString()).isEqualTo("server_error");
    }

    static String outputText(Response r) {
        StringBuilder sb = new StringBuilder();
        for (ResponseOutputItem item : r.output()) {
            item.message().ifPresent(m -> m.content().forEach(c -> c.outputText().ifPresent(t -> sb.append(t.text()))));
        }
        return sb.toString();
    }

    /** The event's type, as it came on the wire. */
    static String kind(ResponseStreamEvent e) {
        return ObjectMappers.jsonMapper().valueToTree(e).path("type").asText();
    }
}
