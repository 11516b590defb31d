package dev.tandem.server.api.openai;

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
 * Nothing silently ignored, field by field: every request field of OpenAI's Chat Completions and
 * (legacy) Completions references, and vLLM's extensions to them, is either read and honoured (it
 * changes the internal request), passed to OpenAI (with no meaning locally), essential (only OpenAI may
 * serve it), or refused by name. The treatment column says which; the test proves the field gets it.
 */
class DocumentedFieldsTest {
    private static final Origin ORIGIN = new Origin("req", Caller.ANONYMOUS, null);
    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}]";

    private static List<InferenceRequest> chat(String json) {
        return ChatRequests.toInference(Json.parse(json.getBytes(StandardCharsets.UTF_8), ChatWire.Request.class), ORIGIN, 512);
    }

    private static List<InferenceRequest> completion(String json) {
        return CompletionRequests.toInference(Json.parse(json.getBytes(StandardCharsets.UTF_8), CompletionWire.Request.class), ORIGIN);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // OpenAI's reference (POST /v1/chat/completions), in its order
        "audio                  | {\"voice\":\"alloy\",\"format\":\"wav\"}          | ESSENTIAL",
        "frequency_penalty      | 0.5                                               | HONOURED",
        "function_call          | `\"auto\"`                                        | REFUSED",
        "functions              | [{\"name\":\"f\",\"parameters\":{}}]              | REFUSED",
        "logit_bias             | {\"5\":1}                                         | HONOURED",
        "logprobs               | true                                              | HONOURED",
        "max_completion_tokens  | 9                                                 | HONOURED",
        "max_tokens             | 9                                                 | HONOURED",
        "metadata               | {\"team\":\"a\"}                                  | PASS",
        "modalities             | [\"text\"]                                        | PASS",
        "n                      | 2                                                 | HONOURED",
        "parallel_tool_calls    | false                                             | HONOURED",
        "prediction             | {\"type\":\"content\",\"content\":\"x\"}          | PASS",
        "presence_penalty       | 0.5                                               | HONOURED",
        "prompt_cache_key       | `\"k1\"`                                          | PASS",
        "prompt_cache_retention | `\"24h\"`                                         | PASS",
        "reasoning_effort       | `\"low\"`                                         | PASS",
        "response_format        | {\"type\":\"json_object\"}                        | HONOURED",
        "safety_identifier      | `\"s1\"`                                          | PASS",
        "seed                   | 7                                                 | HONOURED",
        "service_tier           | `\"auto\"`                                        | PASS",
        "stop                   | `\"END\"`                                         | HONOURED",
        "store                  | false                                             | PASS",
        "stream                 | true                                              | HONOURED",
        "temperature            | 0.5                                               | HONOURED",
        "tool_choice            | `\"required\"`                                    | HONOURED",
        "tools                  | [{\"type\":\"function\",\"function\":{\"name\":\"g\",\"parameters\":{\"type\":\"object\"}}}] | HONOURED",
        "top_p                  | 0.5                                               | HONOURED",
        "user                   | `\"u1\"`                                          | HONOURED",
        "verbosity              | `\"low\"`                                         | PASS",
        "web_search_options     | {}                                                | ESSENTIAL",
        // vLLM's extensions
        "top_k                  | 5                                                 | HONOURED",
        "min_p                  | 0.1                                               | HONOURED",
        "repetition_penalty     | 1.2                                               | HONOURED",
        "ignore_eos             | true                                              | HONOURED",
        "min_tokens             | 2                                                 | HONOURED",
        "stop_token_ids         | [2]                                               | HONOURED",
        "chat_template_kwargs   | {\"enable_thinking\":false}                       | PASS",
        "use_beam_search        | true                                              | REFUSED",
        "length_penalty         | 1.0                                               | REFUSED",
        "best_of                | 2                                                 | REFUSED",
        "guided_json            | {\"type\":\"object\"}                             | REFUSED",
        "guided_regex           | `\"a+\"`                                          | REFUSED",
        "guided_choice          | [\"a\"]                                           | REFUSED",
        "guided_grammar         | `\"root ::= x\"`                                  | REFUSED",
        "guided_decoding_backend| `\"xgrammar\"`                                    | REFUSED",
        "structured_outputs     | {\"json\":{}}                                     | REFUSED",
        "prompt_logprobs        | 1                                                 | REFUSED",
        "chat_template          | `\"{{ x }}\"`                                     | REFUSED",
        "add_generation_prompt  | false                                             | REFUSED",
        "continue_final_message | true                                              | REFUSED",
        "echo                   | true                                              | REFUSED",
        "documents              | []                                                | REFUSED",
        "truncate_prompt_tokens | 10                                                | REFUSED",
        "allowed_token_ids      | [1]                                               | REFUSED",
        "bad_words              | [\"x\"]                                           | REFUSED",
    })
    void chatCompletionFields(String field, String value, FieldTreatment expected) {
        // tool_choice and parallel_tool_calls mean something only with tools; top_logprobs only with logprobs
        String base = field.equals("tool_choice") || field.equals("parallel_tool_calls")
                ? "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]," + TOOLS + "}"
                : "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        expected.check(Dialect.OPENAI, field, value, base, ChatRequests.FIELDS, ChatWire.Request.class, DocumentedFieldsTest::chat);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "top_logprobs           | 2                                                 | HONOURED",
        // OpenAiStream writes the usage chunk (StreamingIT)
        "stream_options         | {\"include_usage\":true}                          | SHAPES_ANSWER",
    })
    void chatFieldsThatQualifyAnother(String field, String value, FieldTreatment expected) {
        String base = field.equals("top_logprobs")
                ? "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"logprobs\":true}"
                : "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}";
        expected.check(Dialect.OPENAI, field, value, base, ChatRequests.FIELDS, ChatWire.Request.class, DocumentedFieldsTest::chat);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // OpenAI's reference (POST /v1/completions), in its order
        // best_of equal to n is what the server does anyway; more would need beam-like ranking
        "best_of                | 2                                                 | REFUSED",
        "echo                   | true                                              | HONOURED",
        "frequency_penalty      | 0.5                                               | HONOURED",
        "logit_bias             | {\"5\":1}                                         | HONOURED",
        "logprobs               | 2                                                 | HONOURED",
        "max_tokens             | 9                                                 | HONOURED",
        "n                      | 2                                                 | HONOURED",
        "presence_penalty       | 0.5                                               | HONOURED",
        "seed                   | 7                                                 | HONOURED",
        "stop                   | `\"END\"`                                         | HONOURED",
        "stream                 | true                                              | HONOURED",
        "suffix                 | `\"tail\"`                                        | HONOURED",
        "temperature            | 0.5                                               | HONOURED",
        "top_p                  | 0.5                                               | HONOURED",
        "user                   | `\"u1\"`                                          | HONOURED",
        // vLLM's extensions
        "top_k                  | 5                                                 | HONOURED",
        "min_p                  | 0.1                                               | HONOURED",
        "repetition_penalty     | 1.2                                               | HONOURED",
        "ignore_eos             | true                                              | HONOURED",
        "min_tokens             | 2                                                 | HONOURED",
        "stop_token_ids         | [2]                                               | HONOURED",
        // Completions writes token:<id> strings in the logprobs (FeaturesIT)
        "return_tokens_as_token_ids | true                                          | SHAPES_ANSWER",
        "response_format        | {\"type\":\"json_object\"}                        | REFUSED",
        "guided_json            | {\"type\":\"object\"}                             | REFUSED",
        "use_beam_search        | true                                              | REFUSED",
        "length_penalty         | 1.0                                               | REFUSED",
        "prompt_logprobs        | 1                                                 | REFUSED",
        "truncate_prompt_tokens | 10                                                | REFUSED",
        "allowed_token_ids      | [1]                                               | REFUSED",
        "bad_words              | [\"x\"]                                           | REFUSED",
    })
    void completionFields(String field, String value, FieldTreatment expected) {
        expected.check(Dialect.OPENAI, field, value, "{\"model\":\"m\",\"prompt\":\"x\"}", CompletionRequests.FIELDS, CompletionWire.Request.class,
                DocumentedFieldsTest::completion);
    }
}
