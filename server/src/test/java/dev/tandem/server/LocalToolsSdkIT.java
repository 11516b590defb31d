package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StructuredMessage;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceAny;
import com.anthropic.models.messages.ToolChoiceTool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.StructuredChatCompletion;
import dev.tandem.models.Engines;
import dev.tandem.server.fakes.SchemaCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI and Anthropic Java SDKs call tools and ask for structured output from the local
 * model, a random-weight checkpoint at temperature 1: it knows nothing of tools or JSON, so every call
 * of a given tool with valid arguments, and every answer the SDK parses into its class, is the work of
 * the prompt, the constraint and the parser, through HTTP.
 */
class LocalToolsSdkIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String WEATHER_SCHEMA = """
            {"type":"object","properties":{"city":{"type":"string","maxLength":16},"unit":{"type":"string","enum":["celsius","fahrenheit"]},
             "days":{"type":"integer"}},"required":["city","unit"],"additionalProperties":false}""";

    @TempDir
    static Path dir;
    static TestServer server;
    static OpenAIClient openAi;
    static AnthropicClient anthropic;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of(), TestServer.longContext(), Engines::open, true);
        openAi = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey("not-checked").maxRetries(0).build();
        anthropic = AnthropicOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("not-checked").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        openAi.close();
        anthropic.close();
        server.close();
    }

    private static Map<String, Object> schemaMap() {
        try {
            return JSON.readValue(WEATHER_SCHEMA, Map.class);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static FunctionDefinition weatherFunction() {
        FunctionParameters.Builder parameters = FunctionParameters.builder();
        schemaMap().forEach((k, v) -> parameters.putAdditionalProperty(k, com.openai.core.JsonValue.from(v)));
        return FunctionDefinition.builder().name("get_weather").description("Current weather").parameters(parameters.build()).build();
    }

    private static FunctionDefinition timeFunction() {
        return FunctionDefinition.builder().name("get_time").description("The time now").parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", com.openai.core.JsonValue.from("object")).build()).build();
    }

    private static Tool weatherTool() {
        Map<String, Object> schema = schemaMap();
        return Tool.builder().name("get_weather").description("Current weather")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(com.anthropic.core.JsonValue.from(schema.get("properties")))
                        .putAdditionalProperty("required", com.anthropic.core.JsonValue.from(schema.get("required")))
                        .putAdditionalProperty("additionalProperties", com.anthropic.core.JsonValue.from(false))
                        .build())
                .build();
    }

    private static void assertValidWeatherArguments(String name, String arguments) {
        if (name.equals("get_weather")) {
            assertThat(SchemaCheck.errors(WEATHER_SCHEMA, arguments)).as(arguments).isEmpty();
        } else {
            assertThat(name).isEqualTo("get_time");
            assertThat(SchemaCheck.parse(arguments).isObject()).as(arguments).isTrue();
        }
    }

    private static ChatCompletionCreateParams.Builder openAiToolRequest(long seed) {
        return ChatCompletionCreateParams.builder().model(TestServer.MODEL).addUserMessage("What is the weather in Paris?")
                .addFunctionTool(weatherFunction()).addFunctionTool(timeFunction())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                .temperature(1.0).seed(seed).maxCompletionTokens(160);
    }

    @Test
    void openAiSdkGetsRequiredToolCallsWithValidArgumentsWholeAndStreamed() {
        for (long seed = 1; seed <= 4; seed++) {
            // When the SDK asks for a required call, at temperature 1
            ChatCompletion completion = openAi.chat().completions().create(openAiToolRequest(seed).build());
            ChatCompletion.Choice choice = completion.choices().get(0);
            // Then it gets function calls with ids and valid arguments, and finish_reason tool_calls
            assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
            List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
            assertThat(calls).isNotEmpty();
            for (ChatCompletionMessageToolCall call : calls) {
                ChatCompletionMessageFunctionToolCall fn = call.asFunction();
                assertThat(fn.id()).startsWith("call_");
                assertValidWeatherArguments(fn.function().name(), fn.function().arguments());
            }

            // And streamed, the accumulated chunks say the same kind of thing
            ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
            List<ChatCompletionChunk> chunks = new ArrayList<>();
            try (var stream = openAi.chat().completions().createStreaming(openAiToolRequest(seed + 100).build())) {
                stream.stream().forEach(chunk -> {
                    accumulator.accumulate(chunk);
                    chunks.add(chunk);
                });
            }
            ChatCompletion.Choice streamed = accumulator.chatCompletion().choices().get(0);
            assertThat(streamed.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
            for (ChatCompletionMessageToolCall call : streamed.message().toolCalls().orElseThrow()) {
                assertValidWeatherArguments(call.asFunction().function().name(), call.asFunction().function().arguments());
            }
            // a call's first delta has its index, id, type and name
            assertThat(chunks.stream().flatMap(c -> c.choices().stream()).flatMap(c -> c.delta().toolCalls().stream().flatMap(List::stream))
                    .filter(tc -> tc.id().isPresent()).findFirst().orElseThrow())
                    .satisfies(tc -> assertThat(tc.function().orElseThrow().name()).isPresent());
        }
    }

    @Test
    void openAiSdkSendsTheResultBackAndANamedToolIsCalledOnce() {
        // Given the model's call and the tool's result in the history, and a named tool with parallel calls off
        ChatCompletion first = openAi.chat().completions().create(openAiToolRequest(9)
                .toolChoice(com.openai.models.chat.completions.ChatCompletionNamedToolChoice.builder()
                        .function(com.openai.models.chat.completions.ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build())
                        .build())
                .parallelToolCalls(false).build());
        List<ChatCompletionMessageToolCall> calls = first.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("get_weather");
        ChatCompletion second = openAi.chat().completions().create(ChatCompletionCreateParams.builder().model(TestServer.MODEL)
                .addUserMessage("What is the weather in Paris?")
                .addMessage(first.choices().get(0).message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(calls.get(0).asFunction().id()).content("18 C, sunny").build())
                .addFunctionTool(weatherFunction())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.NONE)
                .maxCompletionTokens(8).temperature(0.0).build());
        // Then the model answers in text, as asked
        assertThat(second.choices().get(0).message().toolCalls().orElse(List.of())).isEmpty();
        assertThat(second.choices().get(0).finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP, ChatCompletion.Choice.FinishReason.LENGTH);
    }

    /** What the OpenAI SDK derives a strict JSON schema from. */
    public static final class Invoice {
        public String number;
        public String vendor;
        public double total;
        public List<String> items;
        public boolean paid;
    }

    @Test
    void openAiSdkStructuredOutputParsesIntoItsClass() throws Exception {
        for (long seed = 1; seed <= 4; seed++) {
            StructuredChatCompletion<Invoice> completion = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model(TestServer.MODEL).addUserMessage("Invoice #4471 from Acme, EUR 1250, paid.")
                    .responseFormat(Invoice.class).temperature(1.0).seed(seed).maxCompletionTokens(300).build());
            // the SDK parsed the content into an Invoice (a missing or mistyped field would have thrown)
            Invoice invoice = completion.choices().get(0).message().content().orElseThrow();
            assertThat(invoice.number).isNotNull();
            assertThat(invoice.items).isNotNull();
            assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        }
        // json_object: any object
        ChatCompletion object = openAi.chat().completions().create(ChatCompletionCreateParams.builder().model(TestServer.MODEL)
                .addUserMessage("JSON please").responseFormat(ResponseFormatJsonObject.builder().build())
                .temperature(1.0).seed(5L).maxCompletionTokens(120).build());
        assertThat(SchemaCheck.parse(object.choices().get(0).message().content().orElseThrow()).isObject()).isTrue();
    }

    private static MessageCreateParams.Builder anthropicToolRequest() {
        // (the SDK sends no temperature: the local default, 1, applies)
        return MessageCreateParams.builder().model(TestServer.MODEL).maxTokens(160)
                .addUserMessage("What is the weather in Paris?").addTool(weatherTool());
    }

    @Test
    void anthropicSdkGetsToolUseBlocksWholeAndStreamed() throws Exception {
        for (int run = 0; run < 4; run++) {
            // When the SDK asks for any tool, one at most
            MessageCreateParams params = anthropicToolRequest()
                    .toolChoice(ToolChoiceAny.builder().disableParallelToolUse(true).build()).build();
            Message message = anthropic.messages().create(params);
            // Then it gets one tool_use block with an input valid for the tool, and stop_reason tool_use
            List<ToolUseBlock> uses = message.content().stream().flatMap(b -> b.toolUse().stream()).toList();
            assertThat(uses).hasSize(1);
            assertThat(uses.get(0).name()).isEqualTo("get_weather");
            assertThat(SchemaCheck.errors(WEATHER_SCHEMA, JSON.writeValueAsString(uses.get(0)._input().convert(Map.class)))).isEmpty();
            assertThat(message.stopReason().orElseThrow().asString()).isEqualTo("tool_use");

            // And streamed: input_json_delta events the SDK's accumulator turns into the same kind of block
            MessageAccumulator accumulator = MessageAccumulator.create();
            try (StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(params)) {
                stream.stream().forEach(accumulator::accumulate);
            }
            Message streamed = accumulator.message();
            ToolUseBlock use = streamed.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
            assertThat(SchemaCheck.errors(WEATHER_SCHEMA, JSON.writeValueAsString(use._input().convert(Map.class)))).isEmpty();
            assertThat(streamed.stopReason().orElseThrow().asString()).isEqualTo("tool_use");
        }
    }

    @Test
    void anthropicSdkForcedToolRoundTripWithAMidConversationSystemMessage() {
        // Given LangChain's way to structured output: one forced tool
        Message first = anthropic.messages().create(anthropicToolRequest()
                .toolChoice(ToolChoiceTool.builder().name("get_weather").build()).build());
        ToolUseBlock use = first.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
        // When the result goes back, after a system message in the middle of the conversation (as Claude Code sends)
        Message second = anthropic.messages().create(MessageCreateParams.builder().model(TestServer.MODEL).maxTokens(8)
                .addUserMessage("What is the weather in Paris?")
                .addSystemMessage("Answer in one word.")
                .addAssistantMessageOfContentBlockParams(List.of(
                        com.anthropic.models.messages.ContentBlockParam.ofToolUse(ToolUseBlockParam.builder().id(use.id()).name(use.name())
                                .input(use._input()).build())))
                .addUserMessageOfContentBlockParams(List.of(
                        com.anthropic.models.messages.ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId(use.id())
                                .content("18 C").build())))
                .addTool(weatherTool())
                .build());
        // Then it is served: a text answer
        assertThat(second.content()).isNotEmpty();
        assertThat(second.content().stream().allMatch(ContentBlock::isText)).isTrue();
    }

    /**
     * What the Anthropic SDK derives a JSON schema from. JSON Schema's integer has no bound (nor does the
     * schema the SDK writes for an int), so a random model may write one beyond Java's int: BigInteger.
     */
    public static final class Contact {
        public String name;
        public String email;
        public java.math.BigInteger age;
        public List<String> phones;
    }

    @Test
    void anthropicSdkStructuredOutputParsesIntoItsClass() {
        for (int run = 0; run < 3; run++) {
            StructuredMessage<Contact> message = anthropic.messages().create(MessageCreateParams.builder().model(TestServer.MODEL)
                    .maxTokens(300).addUserMessage("Dana Reyes, dana@example.com, 41")
                    .outputConfig(Contact.class).build());
            Contact contact = message.content().stream().flatMap(b -> b.text().stream()).findFirst().orElseThrow().text();
            assertThat(contact.name).isNotNull();
            assertThat(message.stopReason().orElseThrow().asString()).isEqualTo("end_turn");
        }
    }
}
