package dev.tandem.server.api.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.Prompt;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.core.ToolSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** OpenAI requests at the edge: what becomes of good ones, and which field a bad one names. */
class RequestParsingTest {
    private static final Origin ORIGIN = new Origin("req", Caller.ANONYMOUS, null);

    private static List<InferenceRequest> chat(String json) {
        return ChatRequests.toInference(Json.parse(json.getBytes(StandardCharsets.UTF_8), ChatWire.Request.class), ORIGIN, 512);
    }

    private static List<InferenceRequest> completion(String json) {
        return CompletionRequests.toInference(Json.parse(json.getBytes(StandardCharsets.UTF_8), CompletionWire.Request.class), ORIGIN);
    }

    @Test
    void chatBecomesOneRequestPerChoiceWithSystemTextSeparated() {
        List<InferenceRequest> requests = chat("""
                {"model":"m","n":2,"max_completion_tokens":7,"temperature":0,"stop":"END","logprobs":true,"top_logprobs":3,
                 "messages":[{"role":"system","content":"be brief"},
                             {"role":"user","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]}]}
                """);

        assertThat(requests).hasSize(2);
        InferenceRequest r = requests.get(0);
        Input.Chat input = (Input.Chat) r.input();
        assertThat(input.system()).isEqualTo("be brief");
        assertThat(input.messages()).hasSize(1);
        assertThat(input.messages().get(0).role()).isEqualTo(Role.USER);
        assertThat(input.messages().get(0).text()).isEqualTo("hi there");
        assertThat(r.maxTokens()).isEqualTo(7);
        assertThat(r.maxTokensDefaulted()).as("the caller chose 7").isFalse();
        assertThat(r.stop()).containsExactly("END");
        assertThat(r.topLogprobs()).isEqualTo(3);
        assertThat(r.sampling().temperature()).isEqualTo(0.0);
        assertThat(requests.get(1).requestId()).isNotEqualTo(r.requestId());
    }

    @Test
    void completionPromptsInEveryShape() {
        assertThat(completion("{\"model\":\"m\",\"prompt\":\"a\"}")).hasSize(1);
        assertThat(completion("{\"model\":\"m\",\"prompt\":[\"a\",\"b\"],\"n\":2}")).hasSize(4);
        List<InferenceRequest> tokens = completion("{\"model\":\"m\",\"prompt\":[1,2,3]}");
        assertThat(((Input.Completion) tokens.get(0).input()).prompt()).isEqualTo(Prompt.tokens(1, 2, 3));
        assertThat(completion("{\"model\":\"m\",\"prompt\":[[1,2],[3]]}")).hasSize(2);
        assertThat(completion("{\"model\":\"m\",\"prompt\":\"a\"}").get(0)).satisfies(r -> {
            assertThat(r.maxTokens()).isEqualTo(16);
            assertThat(r.maxTokensDefaulted()).isTrue();
        });
        assertThat(completion("{\"model\":\"m\",\"prompt\":\"a\",\"max_tokens\":16}").get(0).maxTokensDefaulted()).isFalse();
        assertThat(completion("{\"model\":\"m\",\"prompt\":\"a\",\"top_k\":-1,\"ignore_eos\":true,\"min_tokens\":3}").get(0).sampling())
                .satisfies(s -> {
                    assertThat(s.topK()).isZero();
                    assertThat(s.ignoreEos()).isTrue();
                    assertThat(s.minTokens()).isEqualTo(3);
                });
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}                                   | model",
        "{\"model\":\"m\"}                                                                         | messages",
        "{\"model\":\"m\",\"messages\":[]}                                                         | messages",
        "{\"model\":\"m\",\"messages\":\"hi\"}                                                     | messages",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}                  | messages[0].role",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}                        | messages[0].content",
        "{\"model\":\"m\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}  | max_tokens",
        "{\"model\":\"m\",\"max_tokens\":\"9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | max_tokens",
        "{\"model\":\"m\",\"max_tokens\":99999999999,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | max_tokens",
        "{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}  | max_tokens",
        "{\"model\":\"m\",\"temperature\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}  | temperature",
        "{\"model\":\"m\",\"top_p\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}        | top_p",
        "{\"model\":\"m\",\"n\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}            | n",
        "{\"model\":\"m\",\"stop\":[1],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}       | stop",
        "{\"model\":\"m\",\"top_logprobs\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | top_logprobs",
        "{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | stream",
        "{\"model\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}                   | model",
        "{\"model\":\"m\",\"presence_penalty\":-3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} | presence_penalty",
    })
    void badChatRequestsNameTheField(String json, String field) {
        assertThatThrownBy(() -> chat(json))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).param()).isEqualTo(field))
                .hasMessageContaining(field);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"model\":\"m\"}                                      | prompt",
        "{\"model\":\"m\",\"prompt\":[]}                        | prompt",
        "{\"model\":\"m\",\"prompt\":[\"a\",1]}                 | prompt",
        "{\"model\":\"m\",\"prompt\":[1,-2]}                    | prompt",
        "{\"model\":\"m\",\"prompt\":{\"a\":1}}                 | prompt",
        "{\"model\":\"m\",\"prompt\":\"a\",\"logprobs\":21}     | logprobs",
        "{\"model\":\"m\",\"prompt\":\"a\",\"min_tokens\":99}   | min_tokens",
        "{\"model\":\"m\",\"prompt\":\"a\",\"top_k\":-5}        | top_k",
        "{\"model\":\"m\",\"prompt\":\"a\",\"repetition_penalty\":0} | repetition_penalty",
        "{\"model\":\"m\",\"prompt\":\"a\",\"echo\":true,\"logprobs\":1} | echo",
        "{\"model\":\"m\",\"prompt\":\"a\",\"use_beam_search\":true} | use_beam_search",
        "{\"model\":\"m\",\"prompt\":\"a\",\"guided_json\":{}} | guided_json",
        "{\"model\":\"m\",\"prompt\":\"a\",\"logit_bias\":[1]} | logit_bias",
    })
    void badCompletionRequestsNameTheField(String json, String field) {
        assertThatThrownBy(() -> completion(json))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).param()).isEqualTo(field));
    }

    @Test
    void echoWithLogprobsSaysThePromptTokensLogprobsAreWhatIsMissing() {
        assertThatThrownBy(() -> completion("{\"model\":\"m\",\"prompt\":\"a\",\"echo\":true,\"logprobs\":0}"))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("logprobs of the prompt tokens")
                .hasMessageContaining("does not compute");
        // each alone is served
        assertThat(completion("{\"model\":\"m\",\"prompt\":\"a\",\"echo\":true}").get(0).input())
                .isEqualTo(new Input.Completion(Prompt.text("a"), null, true));
        assertThat(completion("{\"model\":\"m\",\"prompt\":\"a\",\"logprobs\":0}").get(0).topLogprobs()).isZero();
    }

    @Test
    void invalidJsonSaysWhere() {
        assertThatThrownBy(() -> chat("{\"model\": \"m\", "))
                .isInstanceOf(ApiException.class).hasMessageContaining("not valid JSON").hasMessageContaining("line 1");
        assertThatThrownBy(() -> chat("[1,2]")).isInstanceOf(ApiException.class).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> chat("")).isInstanceOf(ApiException.class).hasMessageContaining("empty");
    }

    @Test
    void nChoicesWithASeedAreSeededOneApart() {
        List<InferenceRequest> seeded = chat("{\"model\":\"m\",\"n\":3,\"seed\":42,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(seeded).extracting(r -> r.sampling().seed()).containsExactly(42L, 43L, 44L);
        List<InferenceRequest> unseeded = chat("{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(unseeded).extracting(r -> r.sampling().seed()).containsOnlyNulls();
        assertThat(completion("{\"model\":\"m\",\"prompt\":[\"a\",\"b\"],\"n\":2,\"seed\":7}"))
                .extracting(r -> r.sampling().seed()).containsExactly(7L, 8L, 7L, 8L);
    }

    @Test
    void toolsChoiceAndResponseFormatBecomeTypedValues() {
        InferenceRequest r = chat("""
                {"model":"m","messages":[{"role":"user","content":"x"}],"parallel_tool_calls":false,
                 "tools":[{"type":"function","function":{"name":"f","strict":true,"parameters":{"type":"object"}}}],
                 "tool_choice":{"type":"function","function":{"name":"f"}},
                 "response_format":{"type":"json_schema","json_schema":{"name":"out","strict":true,"schema":{"type":"object"}}},
                 "logit_bias":{"50256":-100,"7":2.5},"stop_token_ids":[2,3]}
                """).get(0);
        assertThat(r.tools()).containsExactly(new ToolSpec("f", null, "{\"type\":\"object\"}", true));
        assertThat(r.toolChoice()).isEqualTo(ToolChoice.named("f").withParallel(false));
        assertThat(r.responseFormat()).isEqualTo(new ResponseFormat.JsonSchema("out", null, "{\"type\":\"object\"}", true));
        assertThat(r.sampling().logitBias()).isEqualTo(Map.of(50256, -100.0, 7, 2.5));
        assertThat(r.sampling().stopTokenIds()).containsExactly(2, 3);
        assertThat(chat("{\"model\":\"m\",\"response_format\":{\"type\":\"json_object\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .get(0).responseFormat()).isEqualTo(new ResponseFormat.JsonObject());
        assertThat(chat("{\"model\":\"m\",\"tool_choice\":\"none\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .get(0).toolChoice()).isEqualTo(ToolChoice.NONE);
    }

    @Test
    void fieldsWithNoLocalMeaningPassToOpenAiAndOnlyOpenAiHonoursAudio() {
        InferenceRequest r = chat("""
                {"model":"m","messages":[{"role":"user","content":"x"}],"store":false,"metadata":{"a":"b"},
                 "prompt_cache_key":"conv-1","reasoning_effort":"low","some_future_field":1,"service_tier":null}
                """).get(0);
        assertThat(r.passthrough().fieldsFor(Dialect.OPENAI)).containsOnlyKeys("store", "metadata", "prompt_cache_key", "reasoning_effort");
        assertThat(r.passthrough().fieldsFor(Dialect.OPENAI).get("metadata")).isEqualTo("{\"a\":\"b\"}");
        assertThat(r.passthrough().fieldsFor(Dialect.ANTHROPIC)).isEmpty();
        assertThat(r.passthrough().essentialFieldFor(null)).isNull();
        InferenceRequest audio = chat("{\"model\":\"m\",\"audio\":{\"voice\":\"alloy\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").get(0);
        assertThat(audio.passthrough().essentialFieldFor(null)).isEqualTo("audio");
        assertThat(audio.passthrough().essentialFieldFor(Dialect.OPENAI)).isNull();
    }
}
