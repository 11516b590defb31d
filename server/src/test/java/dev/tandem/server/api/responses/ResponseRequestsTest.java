package dev.tandem.server.api.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.core.ToolSpec;
import dev.tandem.server.ops.responses.ResponsesConfig;
import dev.tandem.server.ops.responses.SqliteResponseStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Responses requests at the edge: what a good one becomes internally, and which field a bad one names. */
class ResponseRequestsTest {
    private static final Origin ORIGIN = new Origin("req", Caller.ANONYMOUS, null);
    @TempDir
    Path dir;
    ResponseStore store;
    Responses endpoint;

    @BeforeEach
    void open() {
        store = new SqliteResponseStore(dir.resolve("t.db"), "NORMAL", new ResponsesConfig(100, 1), Clock.systemUTC());
        endpoint = new Responses(512, new StoredResponses(store, ctx -> ORIGIN));
    }

    @AfterEach
    void close() {
        store.close();
    }

    InferenceRequest request(String json) {
        ObjectNode body = Json.parse(json.getBytes(StandardCharsets.UTF_8), ObjectNode.class);
        return endpoint.prepare(body, ORIGIN).requests().get(0);
    }

    static Input.Chat chat(InferenceRequest r) {
        return (Input.Chat) r.input();
    }

    @Test
    void aStringInputIsOneUserTurnAndTheDefaultsAreTheServers() {
        InferenceRequest r = request("{\"model\":\"m\",\"input\":\"hi\"}");

        assertThat(chat(r).system()).isNull();
        assertThat(chat(r).messages()).containsExactly(Message.text(Role.USER, "hi"));
        assertThat(r.maxTokens()).isEqualTo(512);
        assertThat(r.maxTokensDefaulted()).isTrue();
        assertThat(r.stream()).isFalse();
        assertThat(r.tools()).isEmpty();
        assertThat(r.toolChoice()).isEqualTo(ToolChoice.AUTO);
        assertThat(r.responseFormat()).isEqualTo(ResponseFormat.TEXT);
    }

    @Test
    void instructionsAndEverySystemOrDeveloperMessageAreTheSystemTextInOrder() {
        InferenceRequest r = request("""
                {"model":"m","instructions":"Be terse.","max_output_tokens":40,"temperature":0.5,"top_p":0.9,"stream":true,
                 "input":[{"role":"developer","content":"Sandbox: on."},
                          {"type":"message","role":"user","content":[{"type":"input_text","text":"one"}]},
                          {"role":"system","content":[{"type":"input_text","text":"Late rule."}]},
                          {"role":"user","content":"two"}]}
                """);

        assertThat(chat(r).system()).isEqualTo("Be terse.\n\nSandbox: on.\n\nLate rule.");
        assertThat(chat(r).messages()).containsExactly(Message.text(Role.USER, "one"), Message.text(Role.USER, "two"));
        assertThat(r.maxTokens()).isEqualTo(40);
        assertThat(r.maxTokensDefaulted()).isFalse();
        assertThat(r.sampling().temperature()).isEqualTo(0.5);
        assertThat(r.sampling().topP()).isEqualTo(0.9);
        assertThat(r.stream()).isTrue();
    }

    @Test
    void anAssistantMessageAndTheCallsAfterItAreOneTurnAndEachOutputATurnOfItsOwn() {
        InferenceRequest r = request("""
                {"model":"m","input":[
                  {"role":"user","content":"Weather in Rome and Paris?"},
                  {"role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
                  {"type":"function_call","call_id":"c1","name":"weather","arguments":"{\\"city\\":\\"Rome\\"}"},
                  {"type":"custom_tool_call","call_id":"c2","name":"apply_patch","input":"*** Begin Patch"},
                  {"type":"function_call_output","call_id":"c1","output":"21 C"},
                  {"type":"custom_tool_call_output","call_id":"c2","output":[{"type":"input_text","text":"ok"}]},
                  {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"opaque"}]}
                """);

        assertThat(chat(r).messages()).containsExactly(
                Message.text(Role.USER, "Weather in Rome and Paris?"),
                new Message(Role.ASSISTANT, java.util.List.of(new Content.Text("Checking."),
                        new Content.ToolUse("c1", "weather", "{\"city\":\"Rome\"}"),
                        new Content.ToolUse("c2", "apply_patch", "{\"input\":\"*** Begin Patch\"}"))),
                new Message(Role.TOOL, java.util.List.of(new Content.ToolResult("c1", java.util.List.of(new Content.Text("21 C")), false))),
                new Message(Role.TOOL, java.util.List.of(new Content.ToolResult("c2", java.util.List.of(new Content.Text("ok")), false))));
    }

    @Test
    void imagesInUserMessagesKeepTheirUrlOrTheirInlineData() {
        InferenceRequest r = request("""
                {"model":"m","input":[{"role":"user","content":[
                  {"type":"input_image","image_url":"https://example.com/cat.png","detail":"low"},
                  {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo="}]}]}
                """);

        assertThat(chat(r).messages().get(0).content()).containsExactly(new Content.Image(null, null, "https://example.com/cat.png"),
                new Content.Image("image/png", "iVBORw0KGgo=", null));
    }

    @Test
    void functionAndFreeformToolsBecomeInternalToolsAndAChoiceNamesOne() {
        InferenceRequest r = request("""
                {"model":"m","input":"patch it","tool_choice":{"type":"custom","name":"apply_patch"},
                 "tools":[{"type":"function","name":"weather","description":"Weather","parameters":{"type":"object"},"strict":true},
                          {"type":"custom","name":"apply_patch","description":"Patch files.",
                           "format":{"type":"grammar","syntax":"lark","definition":"start: hunk+"}}]}
                """);

        assertThat(r.tools()).extracting(ToolSpec::name).containsExactly("weather", "apply_patch");
        assertThat(r.tools().get(0).inputSchemaJson()).isEqualTo("{\"type\":\"object\"}");
        assertThat(r.tools().get(0).strict()).isTrue();
        ToolSpec patch = r.tools().get(1);
        assertThat(patch.strict()).isFalse();
        assertThat(patch.description()).startsWith("Patch files.").contains("'input'").contains("lark grammar:\nstart: hunk+");
        assertThat(patch.inputSchemaJson()).contains("\"required\":[\"input\"]");
        assertThat(r.toolChoice()).isEqualTo(ToolChoice.named("apply_patch"));
    }

    @Test
    void allowedToolsNarrowTheToolsAndSetTheMode() {
        InferenceRequest r = request("""
                {"model":"m","input":"go","tool_choice":{"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"b"}]},
                 "tools":[{"type":"function","name":"a"},{"type":"function","name":"b"}]}
                """);

        assertThat(r.tools()).extracting(ToolSpec::name).containsExactly("b");
        assertThat(r.toolChoice()).isEqualTo(ToolChoice.REQUIRED);
    }

    @Test
    void parallelToolCallsFalseAllowsOneCall() {
        InferenceRequest r = request("""
                {"model":"m","input":"go","tool_choice":"auto","parallel_tool_calls":false,"tools":[{"type":"function","name":"a"}]}
                """);

        assertThat(r.toolChoice()).isEqualTo(ToolChoice.AUTO.withParallel(false));
        assertThat(request("{\"model\":\"m\",\"input\":\"go\",\"parallel_tool_calls\":true}").toolChoice().parallel()).isTrue();
    }

    @Test
    void textFormatsBecomeTheResponseFormat() {
        assertThat(request("{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"text\"},\"verbosity\":\"low\"}}")
                .responseFormat()).isEqualTo(ResponseFormat.TEXT);
        assertThat(request("{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_object\"}}}").responseFormat())
                .isEqualTo(new ResponseFormat.JsonObject());
        InferenceRequest schema = request("""
                {"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"codex_output_schema","description":"The answer",
                 "strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}}}}}}
                """);
        assertThat(schema.responseFormat()).isEqualTo(new ResponseFormat.JsonSchema("codex_output_schema", "The answer",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}", true));
        // strict is false unless true, as Chat Completions' response_format has it
        InferenceRequest loose = request("""
                {"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n","schema":{"type":"object"}}}}
                """);
        assertThat(((ResponseFormat.JsonSchema) loose.responseFormat()).strict()).isFalse();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"model":"m","input":"x","seed":1}                                                     | seed
            {"model":"m","input":"x","background":true}                                            | background
            {"model":"m","input":"x","conversation":"conv_1"}                                      | conversation
            {"model":"m","input":"x","top_logprobs":3}                                             | top_logprobs
            {"model":"m","input":"x","truncation":"auto"}                                          | truncation
            {"model":"m","input":"x","prompt":{"id":"pmpt_1"}}                                     | prompt
            {"model":"m","input":"x","context_management":[{"type":"compaction"}]}                 | context_management
            {"input":"x"}                                                                          | model
            {"model":"m"}                                                                          | input
            {"model":"m","input":7}                                                                | input
            {"model":"m","input":[{"role":"tool","content":"x"}]}                                  | input[0].role
            {"model":"m","input":[{"role":"user","content":[{"type":"input_audio"}]}]}             | input[0].content[0].type
            {"model":"m","input":[{"type":"function_call","name":"f","arguments":"{}"}]}           | input[0].call_id
            {"model":"m","input":[{"type":"local_shell_call","call_id":"c"}]}                      | input[0].type
            {"model":"m","input":[{"type":"item_reference","id":"fc_unknown"}]}                    | input[0].id
            {"model":"m","input":[{"role":"system","content":"only rules"}]}                       | input
            {"model":"m","input":"x","previous_response_id":"resp_unknown"}                        | previous_response_id
            {"model":"m","input":"x","tools":[{"type":"file_search"}]}                             | tools[0].type
            {"model":"m","input":"x","tools":[{"type":"function"}]}                                | tools[0].name
            {"model":"m","input":"x","tools":[{"type":"function","name":"a"},{"type":"function","name":"a"}]} | tools[1].name
            {"model":"m","input":"x","tool_choice":"any"}                                          | tool_choice
            {"model":"m","input":"x","tool_choice":{"type":"function","name":"missing"}}           | tool_choice.name
            {"model":"m","input":"x","tool_choice":{"type":"web_search_preview"}}                  | tool_choice.type
            {"model":"m","input":"x","text":{"format":{"type":"yaml"}}}                            | text.format.type
            {"model":"m","input":"x","text":{"verbosity":"extreme"}}                               | text.verbosity
            {"model":"m","input":"x","text":{"format":{"type":"json_schema","schema":{}}}}         | text.format.name
            {"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"a b","schema":{}}}} | text.format.name
            {"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n"}}}          | text.format.schema
            {"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n","schema":{},"strict":"yes"}}} | text.format.strict
            {"model":"m","input":"x","tools":[{"type":"function","name":"a","strict":1}]}          | tools[0].strict
            {"model":"m","input":"x","include":["reasoning.everything"]}                           | include[0]
            {"model":"m","input":"x","stream_options":{"include_obfuscation":false}}               | stream_options
            {"model":"m","input":"x","max_output_tokens":0}                                        | max_output_tokens
            {"model":"m","input":"x","temperature":3}                                              | temperature
            {"model":"m","input":"x","top_p":0}                                                    | top_p
            """)
    void aBadRequestNamesTheFieldAtFault(String json, String param) {
        assertThatThrownBy(() -> request(json)).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).param()).isEqualTo(param));
    }

    @Test
    void everyFieldTheRuleKnowsHasAReasonWhenItIsNotHonoured() {
        RequestFields.FIELDS.values().stream().filter(f -> f.treatment() != RequestFields.Treatment.HONOURED)
                .forEach(f -> assertThat(f.why()).as(f.name()).isNotBlank());
    }
}
