package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import dev.tandem.models.Engines;
import dev.tandem.server.ops.ledger.UsageRecord;
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
 * The Responses API on the real server and the local engine (tiny random model), driven by the official
 * Java SDK with its strictest parsing (every required field checked): text answers whole and streamed,
 * the stream's events in order, stored responses retrieved, continued, listed and deleted, each key
 * seeing only its own, {@code store: false} keeping nothing, fields Tandem cannot honour refused by
 * name, and the ledger and rate limits applying as on the other endpoints.
 */
class ResponsesIT {
    static final String MASTER = "master-responses-" + System.nanoTime();
    @TempDir
    static Path dir;
    static TestServer server;
    static String keyA;
    static String keyB;
    static OpenAIClient a;
    static OpenAIClient b;

    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Map.of("auth.enabled", "true", "auth.masterKey", MASTER),
                TestServer.longContext(), Engines::open, true);
        keyA = createKey("{\"name\":\"a\"}");
        keyB = createKey("{\"name\":\"b\"}");
        a = client(keyA);
        b = client(keyB);
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        server.close();
    }

    static String createKey(String body) {
        HttpResponse<String> r = server.post("/admin/keys", body, "authorization", "Bearer " + MASTER);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return TestServer.json(r.body()).get("key").asText();
    }

    static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(server.baseUrl() + "/v1").apiKey(key).maxRetries(0).responseValidation(true).build();
    }

    static ResponseCreateParams.Builder ask(String text) {
        return ResponseCreateParams.builder().model(TestServer.MODEL).instructions("You are terse.").input(text)
                .maxOutputTokens(12).temperature(0.0);
    }

    static String text(Response r) {
        return r.output().stream().filter(ResponseOutputItem::isMessage)
                .flatMap(m -> m.asMessage().content().stream())
                .map(c -> c.asOutputText().text())
                .collect(Collectors.joining());
    }

    @Test
    void aTextAnswerHasEveryFieldTheSdkRequires() {
        Response r = a.responses().create(ask("Write a haiku about caches.").build());

        assertThat(r.id()).startsWith("resp_");
        assertThat(r.model().asString()).isEqualTo(TestServer.MODEL);
        assertThat(r.output()).hasSize(1);
        assertThat(r.output().get(0).asMessage().id()).startsWith("msg_");
        ResponseUsage usage = r.usage().orElseThrow();
        assertThat(usage.inputTokens()).isPositive();
        assertThat(usage.outputTokens()).isBetween(1L, 12L);
        assertThat(usage.totalTokens()).isEqualTo(usage.inputTokens() + usage.outputTokens());
        assertThat(usage.inputTokensDetails().cachedTokens()).isZero();
        assertThat(usage.inputTokensDetails().cacheWriteTokens()).isZero();
        assertThat(usage.outputTokensDetails().reasoningTokens()).isZero();
        // a cut answer is incomplete, and says why; a whole one is completed
        if (usage.outputTokens() == 12) {
            assertThat(r.status()).contains(ResponseStatus.INCOMPLETE);
            assertThat(r.incompleteDetails().orElseThrow().reason().orElseThrow().asString()).isEqualTo("max_output_tokens");
        } else {
            assertThat(r.status()).contains(ResponseStatus.COMPLETED);
            assertThat(r.completedAt()).isPresent();
        }
        assertThat(r.instructions().orElseThrow().asString()).isEqualTo("You are terse.");
        assertThat(r.maxOutputTokens()).contains(12L);
    }

    @Test
    void aStreamedAnswerAccumulatesToTheWholeOne() {
        Response whole = a.responses().create(ask("Name three prime numbers.").store(false).build());

        ResponseAccumulator accumulator = ResponseAccumulator.create();
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = a.responses().createStreaming(ask("Name three prime numbers.").store(false).build())) {
            stream.stream().forEach(e -> events.add(accumulator.accumulate(e)));
        }
        Response streamed = accumulator.response();

        assertThat(events.get(0).isCreated()).isTrue();
        assertThat(events.get(1).isInProgress()).isTrue();
        ResponseStreamEvent last = events.get(events.size() - 1);
        assertThat(last.isCompleted() || last.isIncomplete()).isTrue();
        assertThat(text(streamed)).isEqualTo(text(whole)).isNotEmpty();
        assertThat(streamed.status()).isEqualTo(whole.status());
        assertThat(streamed.usage().orElseThrow().outputTokens()).isEqualTo(whole.usage().orElseThrow().outputTokens());
        assertThat(streamed.usage().orElseThrow().inputTokens()).isEqualTo(whole.usage().orElseThrow().inputTokens());
    }

    @Test
    void theStreamNumbersEveryEventAndEndsWithTheWholeResponse() {
        HttpResponse<String> r = server.post("/v1/responses", """
                {"model":"tiny","input":"Count to five.","max_output_tokens":8,"temperature":0,"stream":true,"store":false}
                """, "authorization", "Bearer " + keyA);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        Sse sse = Sse.parse(r.body());
        List<JsonNode> events = sse.data().stream().map(TestServer::json).toList();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertThat(e.path("sequence_number").asInt(-1)).as("event %d", i).isEqualTo(i);
            assertThat(sse.events().get(i)).isEqualTo(e.path("type").asText());
            assertThat(e.has("error")).as("no top-level error key").isFalse();
        }
        assertThat(events).extracting(e -> e.path("type").asText()).startsWith("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added");
        List<String> tail = events.subList(events.size() - 4, events.size()).stream().map(e -> e.path("type").asText()).toList();
        assertThat(tail.get(0)).isEqualTo("response.output_text.done");
        assertThat(tail.subList(1, 3)).containsExactly("response.content_part.done", "response.output_item.done");
        assertThat(tail.get(3)).isIn("response.completed", "response.incomplete");
        JsonNode done = events.get(events.size() - 1).path("response");
        String deltas = events.stream().filter(e -> e.path("type").asText().equals("response.output_text.delta"))
                .map(e -> e.path("delta").asText()).collect(Collectors.joining());
        assertThat(done.at("/output/0/content/0/text").asText()).isEqualTo(deltas);
        assertThat(done.at("/usage/total_tokens").asInt()).isEqualTo(done.at("/usage/input_tokens").asInt() + done.at("/usage/output_tokens").asInt());
        assertThat(r.body()).doesNotContain("[DONE]");
    }

    @Test
    void aStoredResponseIsRetrievedContinuedListedAndDeleted() {
        Response first = a.responses().create(ask("Remember the number 42.").build());
        assertThat(a.responses().retrieve(first.id()).id()).isEqualTo(first.id());
        assertThat(text(a.responses().retrieve(first.id()))).isEqualTo(text(first));

        // the continuation is given the first turn: its prompt holds the first prompt and answer
        Response second = a.responses().create(ask("Which number?").previousResponseId(first.id()).build());
        long firstTurn = first.usage().orElseThrow().inputTokens() + first.usage().orElseThrow().outputTokens();
        assertThat(second.usage().orElseThrow().inputTokens()).isGreaterThan(firstTurn);
        assertThat(second.previousResponseId()).contains(first.id());

        List<ResponseItem> input = a.responses().inputItems().list(second.id()).data();
        assertThat(input).hasSize(1); // its own input only, not the first turn's
        assertThat(input.get(0).asResponseInputMessageItem().content().get(0).asInputText().text()).isEqualTo("Which number?");

        a.responses().delete(first.id());
        assertThatThrownBy(() -> a.responses().retrieve(first.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> a.responses().delete(first.id())).isInstanceOf(NotFoundException.class);
        // the conversation it began cannot be continued any more
        assertThatThrownBy(() -> a.responses().create(ask("And now?").previousResponseId(second.id()).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("no longer stored");
    }

    @Test
    void anotherKeysResponseIsNotFound() {
        Response mine = a.responses().create(ask("Mine.").build());

        assertThatThrownBy(() -> b.responses().retrieve(mine.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> b.responses().delete(mine.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> b.responses().create(ask("Go on.").previousResponseId(mine.id()).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("not found");
        assertThat(a.responses().retrieve(mine.id()).id()).isEqualTo(mine.id()); // still there for its owner
    }

    @Test
    void storeFalseKeepsNothing() {
        Response r = a.responses().create(ask("Forget me.").store(false).build());

        assertThatThrownBy(() -> a.responses().retrieve(r.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> a.responses().create(ask("Go on.").previousResponseId(r.id()).build()))
                .isInstanceOf(BadRequestException.class);
    }

    @Test
    void fieldsTandemCannotHonourAreRefusedByName() {
        assertRefused("{\"model\":\"tiny\",\"input\":\"hi\",\"seed\":7}", "seed", "Unknown parameter: 'seed'.");
        assertRefused("{\"model\":\"tiny\",\"input\":\"hi\",\"background\":true}", "background", "background responses");
        assertRefused("{\"model\":\"tiny\",\"input\":\"hi\",\"truncation\":\"auto\"}", "truncation", "never cut");
        assertRefused("{\"model\":\"tiny\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}", "tools[0].type", "hosted tools");
        assertRefused("{\"model\":\"tiny\",\"input\":[{\"type\":\"input_file\",\"file_id\":\"f\"}]}", "input[0].type", "input_file");
        assertRefused("{\"model\":\"tiny\",\"input\":\"hi\",\"temperature\":\"hot\"}", "temperature", "must be a number");
        assertRefused("{\"model\":\"tiny\",\"input\":\"hi\",\"include\":[\"everything\"]}", "include[0]", "must be one of");
        assertRefused("{\"model\":\"tiny\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_nope\"}]}", "input[0].id",
                "Item with id 'msg_nope' not found.");
        // what asks for nothing passes, as do the fields clients send on every request
        HttpResponse<String> ok = server.post("/v1/responses", """
                {"model":"tiny","input":"hi","max_output_tokens":2,"background":false,"truncation":"disabled","store":false,
                 "reasoning":null,"include":[],"parallel_tool_calls":false,"prompt_cache_key":"k","service_tier":"auto",
                 "safety_identifier":"u1","client_metadata":{"traceparent":"00-x"},"metadata":{"team":"a"}}
                """, "authorization", "Bearer " + keyA);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(TestServer.json(ok.body()).at("/metadata/team").asText()).isEqualTo("a");
    }

    static void assertRefused(String body, String param, String message) {
        HttpResponse<String> r = server.post("/v1/responses", body, "authorization", "Bearer " + keyA);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = TestServer.json(r.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("param").asText()).isEqualTo(param);
        assertThat(error.path("message").asText()).contains(message);
    }

    @Test
    void theLedgerAndTheRateLimitsApplyAsOnEveryGenerationEndpoint() {
        String limited = createKey("{\"name\":\"limited\",\"rpm\":1}");
        HttpResponse<String> first = server.post("/v1/responses",
                "{\"model\":\"tiny\",\"input\":\"hi\",\"max_output_tokens\":3,\"store\":false}", "authorization", "Bearer " + limited);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

        String requestId = first.headers().firstValue("x-request-id").orElseThrow();
        List<UsageRecord> rows = server.tandem().ops().ledger().rows(null, null, Integer.MAX_VALUE).stream()
                .filter(row -> row.requestId().equals(requestId)).toList();
        assertThat(rows).hasSize(1);
        JsonNode usage = TestServer.json(first.body()).path("usage");
        assertThat(rows.get(0).promptTokens()).isEqualTo(usage.path("input_tokens").asInt());
        assertThat(rows.get(0).completionTokens()).isEqualTo(usage.path("output_tokens").asInt());
        assertThat(rows.get(0).backend()).isEqualTo("local");

        OpenAIClient sdk = client(limited);
        try {
            assertThatThrownBy(() -> sdk.responses().create(ask("again").build())).isInstanceOf(RateLimitException.class);
        } finally {
            sdk.close();
        }
    }
}
