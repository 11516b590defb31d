package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.Engines;
import dev.tandem.models.checkpoint.GeneratorOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request fields beyond the basics: stop sequences, logprobs in both OpenAI formats, echo, infill, n, seeds. */
class FeaturesIT {
    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        // An endless model: the tests cut and compare answers, and a random model may end one at its first token
        // (at temperature 1, or greedily in a compute dtype that rounds the other way)
        server = TestServer.start(dir, Map.of(), GeneratorOptions.tiny().withEndless(true), Engines::open, true);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode post(String path, String body) {
        var response = server.post(path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestServer.json(response.body());
    }

    /** A JSON string literal. */
    static String quoted(String text) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
    }

    @Test
    void aStopSequenceEndsTheAnswerBeforeItInBothDialects() {
        // Given the greedy answer without a stop sequence
        String reference = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"Once upon\",\"max_tokens\":24,\"temperature\":0,\"ignore_eos\":true}")
                .at("/choices/0/text").asText();
        String stop = reference.substring(reference.length() / 2, reference.length() / 2 + 2);
        String expected = reference.substring(0, reference.indexOf(stop));

        // When the same is asked with a piece of it as the stop sequence
        JsonNode openAi = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"Once upon\",\"max_tokens\":24,\"temperature\":0,\"ignore_eos\":true,\"stop\":"
                + quoted(stop) + "}");

        // Then the text ends right before it, with the stop reason of each dialect
        assertThat(openAi.at("/choices/0/text").asText()).isEqualTo(expected);
        assertThat(openAi.at("/choices/0/finish_reason").asText()).isEqualTo("stop");

        String chatReference = post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":24,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Tell a story\"}]}")
                .at("/content/0/text").asText();
        assertThat(chatReference.length()).as("the tiny model's greedy answer is long enough to cut").isGreaterThanOrEqualTo(4);
        String chatStop = chatReference.substring(chatReference.length() / 2, chatReference.length() / 2 + 2);
        JsonNode anthropic = post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":24,\"temperature\":0,\"stop_sequences\":["
                + quoted(chatStop) + "],\"messages\":[{\"role\":\"user\",\"content\":\"Tell a story\"}]}");
        assertThat(anthropic.at("/content/0/text").asText()).isEqualTo(chatReference.substring(0, chatReference.indexOf(chatStop)));
        assertThat(anthropic.get("stop_reason").asText()).isEqualTo("stop_sequence");
        assertThat(anthropic.get("stop_sequence").asText()).isEqualTo(chatStop);
    }

    @Test
    void chatLogprobsListEveryTokenWithItsAlternatives() {
        JsonNode r = post("/v1/chat/completions", "{\"model\":\"tiny\",\"max_tokens\":6,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        JsonNode content = r.at("/choices/0/logprobs/content");
        assertThat(content.size()).isEqualTo(r.at("/usage/completion_tokens").asInt());
        for (JsonNode token : content) {
            assertThat(token.get("logprob").asDouble()).isLessThanOrEqualTo(0);
            assertThat(token.get("top_logprobs")).hasSize(2);
            assertThat(token.get("bytes").isArray()).isTrue();
            // greedy: the chosen token is the most likely one
            assertThat(token.get("logprob").asDouble()).isEqualTo(token.at("/top_logprobs/0/logprob").asDouble(), org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void legacyLogprobsUseTheOldFormatAndTokenIdsOnRequest() {
        JsonNode r = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"abc\",\"max_tokens\":5,\"temperature\":0,\"ignore_eos\":true,"
                + "\"logprobs\":3,\"return_tokens_as_token_ids\":true}");

        JsonNode lp = r.at("/choices/0/logprobs");
        assertThat(lp.get("tokens")).hasSize(5);
        assertThat(lp.get("token_logprobs")).hasSize(5);
        assertThat(lp.get("top_logprobs")).hasSize(5);
        assertThat(lp.get("text_offset")).hasSize(5);
        assertThat(lp.get("tokens")).allSatisfy(t -> assertThat(t.asText()).matches("token_id:\\d+"));
        assertThat(lp.get("top_logprobs").get(0).size()).isEqualTo(3);
        assertThat(lp.at("/text_offset/0").asInt()).isZero();
        for (int i = 1; i < 5; i++) {
            assertThat(lp.get("text_offset").get(i).asInt()).isGreaterThanOrEqualTo(lp.get("text_offset").get(i - 1).asInt());
        }
    }

    @Test
    void echoReturnsThePromptFirstAndInfillIsServed() {
        JsonNode echoed = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"def f(x):\",\"max_tokens\":4,\"temperature\":0,\"echo\":true}");
        JsonNode plain = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"def f(x):\",\"max_tokens\":4,\"temperature\":0}");
        assertThat(echoed.at("/choices/0/text").asText()).isEqualTo("def f(x):" + plain.at("/choices/0/text").asText());

        JsonNode infill = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"def f(x):\\n    \",\"suffix\":\"\\n    return y\",\"max_tokens\":4,\"temperature\":0}");
        assertThat(infill.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
        assertThat(infill.at("/usage/prompt_tokens").asInt()).isGreaterThan(plain.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void aTokenPromptEndingInsideACharacterGetsThatCharacterWholeWhenTheGenerationFinishesIt() {
        // Given a token prompt, several KV blocks long, whose last token is the first byte of "é", and a
        // logit bias that makes the second byte the greedy next token
        JsonNode e = post("/tokenize", "{\"prompt\":\"é\",\"add_special_tokens\":false}").get("tokens");
        int lead = e.get(e.size() - 2).asInt();
        int continuation = e.get(e.size() - 1).asInt();
        String words = "A prompt long enough to fill more than one block of the prefix cache, twice over.";
        JsonNode ids = post("/tokenize", "{\"prompt\":" + quoted(words) + "}").get("tokens");
        String prompt = ids.toString().replaceFirst("]$", "," + lead + "]");
        String body = "{\"model\":\"tiny\",\"prompt\":" + prompt + ",\"max_tokens\":1,\"temperature\":0,\"logit_bias\":{\""
                + continuation + "\":100}";

        // When it is completed, again (from the prefix cache), streamed, and with echo
        JsonNode first = post("/v1/completions", body + "}");
        JsonNode again = post("/v1/completions", body + "}");
        var streamed = server.post("/v1/completions", body + ",\"stream\":true}");
        JsonNode echoed = post("/v1/completions", body + ",\"echo\":true}");

        // Then the completion is the whole character, each time
        assertThat(first.at("/choices/0/text").asText()).isEqualTo("é");
        assertThat(again.at("/choices/0/text").asText()).isEqualTo("é");
        assertThat(again.at("/usage/prompt_tokens_details/cached_tokens").asInt()).as("served from the prefix cache").isPositive();
        StringBuilder deltas = new StringBuilder();
        for (String data : Sse.parse(streamed.body()).data()) {
            if (!data.equals("[DONE]")) {
                deltas.append(TestServer.json(data).at("/choices/0/text").asText());
            }
        }
        assertThat(deltas.toString()).isEqualTo("é");
        // and the echo holds the prompt up to the character, which the completion then gives whole
        assertThat(echoed.at("/choices/0/text").asText()).isEqualTo(words + "é");
    }

    @Test
    void severalPromptsTimesNGiveOneChoiceEachAndCountEachPromptOnce() {
        JsonNode r = post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[\"one\",\"two three\"],\"n\":2,\"max_tokens\":3,\"temperature\":0}");
        int one = post("/tokenize", "{\"prompt\":\"one\"}").get("count").asInt();
        int two = post("/tokenize", "{\"prompt\":\"two three\"}").get("count").asInt();

        assertThat(r.get("choices")).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(r.get("choices").get(i).get("index").asInt()).isEqualTo(i);
        }
        // greedy: the n copies of one prompt agree
        assertThat(r.at("/choices/0/text").asText()).isEqualTo(r.at("/choices/1/text").asText());
        assertThat(r.at("/choices/2/text").asText()).isEqualTo(r.at("/choices/3/text").asText());
        assertThat(r.at("/usage/prompt_tokens").asInt()).isEqualTo(one + two);
    }

    @Test
    void plainResponsesSayWhoServedThemAndWhy() {
        var openAi = server.post("/v1/chat/completions", "{\"model\":\"tiny\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        var anthropic = server.post("/v1/messages", "{\"model\":\"tiny\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        for (var r : java.util.List.of(openAi, anthropic)) {
            assertThat(r.headers().firstValue("x-tandem-backend")).hasValue("local");
            assertThat(r.headers().firstValue("x-tandem-route")).hasValue("primary");
            assertThat(r.headers().firstValue("x-request-id")).isPresent();
        }
    }

    @Test
    void aSeedMakesSamplingReproducible() {
        String body = "{\"model\":\"tiny\",\"max_tokens\":12,\"temperature\":1.0,\"seed\":7,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        String first = post("/v1/chat/completions", body).at("/choices/0/message/content").asText();
        String second = post("/v1/chat/completions", body).at("/choices/0/message/content").asText();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void anAliasIsAnsweredWithTheModelThatAnsweredInBothDialectsStreamedOrNot() {
        // Given requests for the alias "auto", which the local model serves
        String chat = "{\"model\":\"auto\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        String legacy = "{\"model\":\"auto\",\"max_tokens\":3,\"prompt\":\"hi\"";
        // Then every response names the model that answered, never the alias
        assertThat(post("/v1/chat/completions", chat + "}").get("model").asText()).isEqualTo("tiny");
        assertThat(post("/v1/completions", legacy + "}").get("model").asText()).isEqualTo("tiny");
        assertThat(post("/v1/messages", chat + "}").get("model").asText()).isEqualTo("tiny");

        var openAiChunks = Sse.parse(server.post("/v1/chat/completions", chat + ",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}").body()).data();
        assertThat(openAiChunks.subList(0, openAiChunks.size() - 1))
                .isNotEmpty().allSatisfy(d -> assertThat(TestServer.json(d).get("model").asText()).isEqualTo("tiny"));
        var legacyChunks = Sse.parse(server.post("/v1/completions", legacy + ",\"stream\":true}").body()).data();
        assertThat(legacyChunks.subList(0, legacyChunks.size() - 1))
                .isNotEmpty().allSatisfy(d -> assertThat(TestServer.json(d).get("model").asText()).isEqualTo("tiny"));
        Sse anthropic = Sse.parse(server.post("/v1/messages", chat + ",\"stream\":true}").body());
        assertThat(TestServer.json(anthropic.frames().get(0).data()).at("/message/model").asText()).isEqualTo("tiny");
    }
}
