package dev.tandem.server.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.Engines;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorCode;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.Sampling;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.ToolChoice;
import dev.tandem.server.core.ToolSpec;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.fakes.RecordingSink;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.fakes.SchemaCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local backend on a random-weight model at temperature 1: it knows nothing of tools or JSON, so
 * every call that names a given tool with valid arguments, and every answer that validates, does so
 * because of the prompt, the constraint and the parser.
 */
class LocalToolCallingTest {
    private static final String MODEL = "tiny-tools";
    private static final List<ToolSpec> TOOLS = List.of(
            new ToolSpec("get_weather", "Current weather", """
                    {"type":"object","properties":{"city":{"type":"string","maxLength":12},"unit":{"enum":["celsius","fahrenheit"]}},
                     "required":["city","unit"],"additionalProperties":false}"""),
            new ToolSpec("get_time", "The time now", "{\"type\":\"object\",\"properties\":{}}"));

    @TempDir
    static Path dir;
    private static LocalModel model;
    private static LocalBackend local;
    private static LocalBackend strict;

    @BeforeAll
    static void load() throws Exception {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withMaxPositions(1024));
        EngineSettings settings = Defaults.CONFIG.engine().toBuilder().withCheckpoint(dir.toString()).withModelId(MODEL)
                .withDevice("cpu").withDtype("float32").withQueue(8, 64).withThreads(1).build();
        model = new LocalModel(settings, dir, Engines::open, d -> {
            throw new AssertionError("no demo checkpoint here");
        });
        model.loadInBackground();
        model.awaitReady(Duration.ofSeconds(60));
        local = new LocalBackend(model, false);
        strict = new LocalBackend(model, true);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static InferenceRequest.Builder hot(String text, long seed) {
        return Requests.chat(MODEL, text).withMaxTokens(96)
                .withSampling(Sampling.builder().withTemperature(1.0).withSeed(seed).build());
    }

    private static List<RecordingSink> runAll(List<InferenceRequest> requests) {
        List<RecordingSink> sinks = new ArrayList<>();
        for (InferenceRequest r : requests) {
            RecordingSink sink = new RecordingSink();
            local.start(r, sink);
            sinks.add(sink);
        }
        sinks.forEach(s -> s.awaitEnd(Duration.ofSeconds(60)));
        return sinks;
    }

    /** The calls of one answer: index → {id, name, joined arguments}. */
    private static Map<Integer, String[]> calls(RecordingSink sink) {
        Map<Integer, String[]> calls = new TreeMap<>();
        for (InferenceEvent.ToolCallDelta d : sink.toolCallDeltas()) {
            String[] call = calls.computeIfAbsent(d.index(), i -> new String[] {null, null, ""});
            if (d.id() != null) {
                assertThat(call[0]).as("one start per call").isNull();
                call[0] = d.id();
                call[1] = d.name();
            }
            call[2] += d.argumentsJsonPart();
        }
        return calls;
    }

    @Test
    void requiredCallsNameAGivenToolWithValidArgumentsAndEndForToolUse() {
        List<InferenceRequest> requests = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) {
            requests.add(hot("Weather in Paris?", seed).withTools(TOOLS, ToolChoice.REQUIRED).build());
        }
        Set<String> ids = new HashSet<>();
        for (RecordingSink sink : runAll(requests)) {
            assertThat(sink.finished().reason()).as(sink.events().toString()).isEqualTo(StopReason.TOOL_USE);
            assertThat(sink.text()).as("nothing but calls").isBlank();
            Map<Integer, String[]> calls = calls(sink);
            assertThat(calls).isNotEmpty();
            for (String[] call : calls.values()) {
                assertThat(call[0]).startsWith("call_");
                assertThat(ids.add(call[0])).as("ids are unique").isTrue();
                ToolSpec tool = TOOLS.stream().filter(t -> t.name().equals(call[1])).findFirst().orElseThrow();
                assertThat(SchemaCheck.errors(tool.inputSchemaJson(), call[2])).as(call[2]).isEmpty();
            }
        }
    }

    @Test
    void aNamedToolWithParallelCallsOffIsCalledExactlyOnce() {
        List<InferenceRequest> requests = new ArrayList<>();
        for (long seed = 1; seed <= 4; seed++) {
            requests.add(hot("Weather?", seed).withTools(TOOLS, ToolChoice.named("get_weather").withParallel(false)).build());
        }
        for (RecordingSink sink : runAll(requests)) {
            Map<Integer, String[]> calls = calls(sink);
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0)[1]).isEqualTo("get_weather");
            assertThat(SchemaCheck.errors(TOOLS.get(0).inputSchemaJson(), calls.get(0)[2])).isEmpty();
        }
    }

    @Test
    void autoLetsTheModelWriteTextOrCallsAndEitherWayTheAnswerIsWellFormed() {
        List<InferenceRequest> requests = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) {
            requests.add(hot("Weather?", seed).withTools(TOOLS, ToolChoice.AUTO).build());
        }
        for (RecordingSink sink : runAll(requests)) {
            StopReason reason = sink.finished().reason();
            Map<Integer, String[]> calls = calls(sink);
            if (calls.isEmpty()) {
                assertThat(reason).isIn(StopReason.END_TURN, StopReason.MAX_TOKENS);
                assertThat(sink.text()).doesNotContain("[TOOL_CALLS]");
            } else {
                assertThat(reason).isEqualTo(StopReason.TOOL_USE);
                for (String[] call : calls.values()) {
                    ToolSpec tool = TOOLS.stream().filter(t -> t.name().equals(call[1])).findFirst().orElseThrow();
                    assertThat(SchemaCheck.errors(tool.inputSchemaJson(), call[2])).as(call[2]).isEmpty();
                }
            }
        }
    }

    @Test
    void aJsonSchemaAnswerValidatesAndBeginsWithTheValueItself() {
        String schema = """
                {"type":"object","properties":{"name":{"type":"string","maxLength":20},"tags":{"type":"array","items":{"type":"string",
                 "maxLength":8},"maxItems":3},"score":{"type":"number"},"ok":{"type":"boolean"}},"required":["name","tags","score","ok"],
                 "additionalProperties":false}""";
        List<InferenceRequest> requests = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) {
            requests.add(hot("Describe yourself as JSON.", seed).withMaxTokens(128)
                    .withResponseFormat(new ResponseFormat.JsonSchema("profile", null, schema, true)).build());
        }
        for (RecordingSink sink : runAll(requests)) {
            assertThat(sink.finished().reason()).as(sink.text()).isEqualTo(StopReason.END_TURN);
            assertThat(sink.text()).startsWith("{");
            assertThat(SchemaCheck.errors(schema, sink.text())).as(sink.text()).isEmpty();
        }
    }

    @Test
    void autoWithAJsonFormatAnswersWithValidCallsOrSchemaValidJsonAndBothHappen() {
        // Given tools with tool_choice auto and a strict JSON schema format (what Codex sends with --output-schema)
        String schema = """
                {"type":"object","properties":{"summary":{"type":"string","maxLength":20},"done":{"type":"boolean"}},
                 "required":["summary","done"],"additionalProperties":false}""";
        List<InferenceRequest> requests = new ArrayList<>();
        for (long seed = 1; seed <= 12; seed++) {
            requests.add(hot("Weather, or a summary?", seed).withMaxTokens(128).withTools(TOOLS, ToolChoice.AUTO)
                    .withResponseFormat(new ResponseFormat.JsonSchema("summary", null, schema, true)).build());
        }
        // When the model answers each, at temperature 1
        int called = 0;
        int answered = 0;
        for (RecordingSink sink : runAll(requests)) {
            Map<Integer, String[]> calls = calls(sink);
            if (calls.isEmpty()) {
                // Then an answer without calls is the format's JSON, whole, from its first character
                assertThat(sink.finished().reason()).as(sink.text()).isEqualTo(StopReason.END_TURN);
                assertThat(sink.text()).startsWith("{");
                assertThat(SchemaCheck.errors(schema, sink.text())).as(sink.text()).isEmpty();
                answered++;
            } else {
                // and an answer with calls is nothing but calls of the given tools, valid for their schemas
                assertThat(sink.finished().reason()).as(sink.events().toString()).isEqualTo(StopReason.TOOL_USE);
                assertThat(sink.text()).as("nothing but calls").isEmpty();
                for (String[] call : calls.values()) {
                    ToolSpec tool = TOOLS.stream().filter(t -> t.name().equals(call[1])).findFirst().orElseThrow();
                    assertThat(SchemaCheck.errors(tool.inputSchemaJson(), call[2])).as(call[2]).isEmpty();
                }
                called++;
            }
        }
        assertThat(called).as("some answers call a tool").isPositive();
        assertThat(answered).as("some answers are JSON").isPositive();
    }

    @Test
    void jsonObjectGivesAnObject() {
        RecordingSink sink = runAll(List.of(hot("JSON please", 3).withMaxTokens(64)
                .withResponseFormat(new ResponseFormat.JsonObject()).build())).get(0);
        assertThat(SchemaCheck.parse(sink.text()).isObject()).as(sink.text()).isTrue();
    }

    @Test
    void aStrictSchemaWithAKeywordTheConstraintCannotEnforceIsRefusedNamingIt() {
        String schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":3}},\"required\":[\"n\"]}";
        InferenceRequest request = hot("x", 1).withResponseFormat(new ResponseFormat.JsonSchema("r", null, schema, true)).build();
        assertThatThrownBy(() -> local.start(request, new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("'minimum'"));
    }

    @Test
    void aMaxTokensBeyondTheWindowIsClampedToTheRoomLeftUnlessStrict() {
        // Given max_tokens 32000 on a model whose window is 1024 tokens, and a prompt that leaves a little room
        InferenceRequest request = longPrompt(990).withMaxTokens(32_000)
                .withSampling(Sampling.builder().withTemperature(1.0).withSeed(7L).withIgnoreEos(true).build()).build();
        // When served: the answer runs to the end of the window and says so
        RecordingSink sink = runAll(List.of(request)).get(0);
        InferenceEvent.Finished finished = sink.finished();
        assertThat(finished.reason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(finished.usage().outputTokens()).isPositive();
        assertThat(finished.usage().inputTokens() + finished.usage().outputTokens()).isEqualTo(1024);
        // And with strictMaxTokens it is the 400 it used to be, with the numbers
        assertThatThrownBy(() -> strict.start(request, new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONTEXT_WINDOW);
                    assertThat(e.param()).isEqualTo("max_tokens");
                    assertThat(e.getMessage()).contains("32000").contains("1024");
                });
    }

    /** A chat whose prompt has about {@code tokens} tokens (between 95 % and 100 % of it). */
    private static InferenceRequest.Builder longPrompt(int tokens) {
        int words = tokens / 2;
        for (int attempt = 0; attempt < 8; attempt++) {
            InferenceRequest.Builder b = hot("story ".repeat(words), 7);
            int count = local.tokenize(b.build()).count();
            if (count <= tokens && count >= tokens * 95 / 100) {
                return b;
            }
            words = Math.max(1, (int) ((long) words * (tokens - 10) / count));
        }
        throw new AssertionError("no prompt of about " + tokens + " tokens");
    }

    @Test
    void aMaxTokensTooSmallForTheShortestRequiredCallIsRefusedWithTheNumber() {
        InferenceRequest request = hot("Weather?", 1).withMaxTokens(5).withTools(TOOLS, ToolChoice.named("get_weather")).build();
        assertThatThrownBy(() -> local.start(request, new RecordingSink()))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.param()).isEqualTo("max_tokens");
                    assertThat(e.getMessage()).contains("raise max_tokens");
                });
    }
}
