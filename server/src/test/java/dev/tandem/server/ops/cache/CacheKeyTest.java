package dev.tandem.server.ops.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.Prompt;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Passthrough;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.core.ToolSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The shared cache's key: equal exactly when the answer-shaping parts of two requests are. */
class CacheKeyTest {

    static InferenceRequest.Builder base() {
        return InferenceRequest.builder("req-1", Dialect.OPENAI, "m",
                        new Input.Chat("be brief", List.of(Message.text(Role.USER, "hi"))))
                .withMaxTokens(8)
                .withSampling(Sampling.builder().withTemperature(0.0).build())
                .withCaller(new Caller("key_a", null, Caller.Limits.NONE));
    }

    static String digest(InferenceRequest.Builder b) {
        return CacheKey.of(b.build(), true).digest();
    }

    @Test
    void mapsAndSetsBuiltInDifferentOrdersGiveTheSameKey() {
        // Given two requests whose maps (logit_bias, passthrough fields) and sets were filled in opposite orders
        Map<Integer, Double> biasUp = new LinkedHashMap<>();
        Map<Integer, Double> biasDown = new LinkedHashMap<>();
        Map<String, String> fieldsUp = new LinkedHashMap<>();
        Map<String, String> fieldsDown = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            biasUp.put(i, (double) i);
            biasDown.put(19 - i, (double) (19 - i));
            fieldsUp.put("f" + i, "{\"v\":" + i + "}");
            fieldsDown.put("f" + (19 - i), "{\"v\":" + (19 - i) + "}");
        }
        InferenceRequest up = base().withSampling(Sampling.builder().withTemperature(0.0).withLogitBias(biasUp).build())
                .withPassthrough(new Passthrough(Dialect.ANTHROPIC, fieldsUp, Set.of("f1", "f2", "f3", "f4"), List.of("b1"))).build();
        InferenceRequest down = base().withSampling(Sampling.builder().withTemperature(0.0).withLogitBias(biasDown).build())
                .withPassthrough(new Passthrough(Dialect.ANTHROPIC, fieldsDown, Set.of("f4", "f3", "f2", "f1"), List.of("b1"))).build();

        // Then their canonical forms are the same text, sorted
        String json = CacheKey.of(up, true).canonicalJson();
        assertThat(CacheKey.of(down, true).canonicalJson()).isEqualTo(json);
        assertThat(CacheKey.of(down, true).digest()).isEqualTo(CacheKey.of(up, true).digest()).hasSize(64);
        assertThat(json).contains("[\"f1\",\"f2\",\"f3\",\"f4\"]");
        assertThat(json.indexOf("\"f10\":")).isLessThan(json.indexOf("\"f2\":"));
    }

    @Test
    void whatDoesNotShapeTheAnswerDoesNotChangeTheKey() {
        String key = digest(base());
        assertThat(digest(base().withRequestId("req-2"))).isEqualTo(key);
        assertThat(digest(base().withDialect(Dialect.ANTHROPIC))).isEqualTo(key);
        assertThat(digest(base().withStream(true))).isEqualTo(key);
        assertThat(digest(base().withUser("end-user-7"))).isEqualTo(key);
    }

    @Test
    void everyAnswerShapingFieldChangesTheKey() {
        String key = digest(base());
        Map<String, UnaryOperator<InferenceRequest.Builder>> changes = new LinkedHashMap<>();
        changes.put("model", b -> b.withModel("m2"));
        changes.put("system", b -> b.withInput(new Input.Chat("be long", List.of(Message.text(Role.USER, "hi")))));
        changes.put("message", b -> b.withInput(new Input.Chat("be brief", List.of(Message.text(Role.USER, "hi!")))));
        changes.put("role", b -> b.withInput(new Input.Chat("be brief", List.of(Message.text(Role.ASSISTANT, "hi")))));
        changes.put("no system", b -> b.withInput(new Input.Chat(null, List.of(Message.text(Role.USER, "hi")))));
        changes.put("completion", b -> b.withInput(new Input.Completion(Prompt.text("hi"), null, false)));
        changes.put("tool use block", b -> b.withInput(new Input.Chat("be brief", List.of(
                new Message(Role.USER, List.of(new Content.Text("hi"), new Content.ToolUse("t1", "f", "{}")))))));
        changes.put("max_tokens", b -> b.withMaxTokens(9));
        changes.put("max_tokens defaulted", b -> b.withMaxTokens(8, true));
        changes.put("seed", b -> b.withSampling(Sampling.builder().withTemperature(0.0).withSeed(1L).build()));
        changes.put("top_p", b -> b.withSampling(Sampling.builder().withTemperature(0.0).withTopP(0.5).build()));
        changes.put("logit_bias", b -> b.withSampling(Sampling.builder().withTemperature(0.0).withLogitBias(Map.of(1, 1.0)).build()));
        changes.put("stop", b -> b.withStop(List.of("\n")));
        changes.put("logprobs", b -> b.withTopLogprobs(0));
        changes.put("tools", b -> b.withTools(List.of(new ToolSpec("f", null, "{}")), ToolChoice.AUTO));
        changes.put("tool_choice", b -> b.withTools(List.of(new ToolSpec("f", null, "{}")), ToolChoice.REQUIRED));
        changes.put("json_object", b -> b.withResponseFormat(new ResponseFormat.JsonObject()));
        changes.put("policy", b -> b.withPolicy(Policy.LOCAL_ONLY));
        changes.put("key's policy", b -> b.withCaller(new Caller("key_a", Policy.REMOTE_ONLY, Caller.Limits.NONE)));
        changes.put("key", b -> b.withCaller(new Caller("key_b", null, Caller.Limits.NONE)));
        changes.put("passthrough", b -> b.withPassthrough(new Passthrough(Dialect.ANTHROPIC, Map.of("thinking", "{}"), Set.of(), List.of())));
        changes.forEach((field, change) -> assertThat(digest(change.apply(base()))).as(field).isNotEqualTo(key));
    }

    @Test
    void emptyVariantsOfASealedTypeStayApart() {
        // ResponseFormat.Text() and JsonObject() are both empty records: only their tag tells them apart
        assertThat(CacheKey.of(base().withResponseFormat(ResponseFormat.TEXT).build(), true).canonicalJson())
                .isNotEqualTo(CacheKey.of(base().withResponseFormat(new ResponseFormat.JsonObject()).build(), true).canonicalJson());
    }

    @Test
    void sharedAnswersLeaveTheKeyIdOut() {
        InferenceRequest a = base().build();
        InferenceRequest b = base().withCaller(new Caller("key_b", null, Caller.Limits.NONE)).build();
        assertThat(CacheKey.of(a, false).digest()).isEqualTo(CacheKey.of(b, false).digest());
        assertThat(CacheKey.of(a, true).digest()).isNotEqualTo(CacheKey.of(b, true).digest());
    }
}
