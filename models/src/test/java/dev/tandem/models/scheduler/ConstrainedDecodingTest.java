package dev.tandem.models.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.OutputConstraint;
import dev.tandem.models.Prompt;
import dev.tandem.models.SamplingParams;
import dev.tandem.models.ChatMessage;
import dev.tandem.models.Conversation;
import dev.tandem.models.PromptFormat;
import dev.tandem.models.ToolChoice;
import dev.tandem.models.ToolDefinition;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.grammar.ConstraintCompiler;
import dev.tandem.models.grammar.SchemaMode;
import dev.tandem.models.grammar.SchemaValidation;
import dev.tandem.models.text.PromptFormats;
import dev.tandem.models.text.ToolCallParser;
import dev.tandem.models.scheduler.EngineFixture.Recorder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Constrained decoding through the engine: a random-weight model at temperature 1 knows nothing of
 * JSON, so every answer that parses and validates does so because of the mask (and the budget).
 */
class ConstrainedDecodingTest {
    private static final int EOS = 2;

    @org.junit.jupiter.api.io.TempDir static Path dir;
    private static Engine engine;
    private static ConstraintCompiler compiler;

    @BeforeAll
    static void open() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withMaxPositions(1024));
        // bfloat16: the production dtype on CPUs with AVX512_BF16 (the mask, not the dtype, makes the answers valid)
        engine = EngineFixture.open(dir, EngineConfig.builder(dir).withComputeDtype("bfloat16").withMaxRunning(8).withMaxWaiting(64).build(),
                Set.of(EOS));
        compiler = ConstraintCompiler.of(engine.tokenizer());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static Recorder run(GenerationRequest request) {
        Recorder r = new Recorder();
        engine.submit(request, r);
        r.finished();
        return r;
    }

    /**
     * A text prompt: id prompts may end inside a UTF-8 character, and the decoder's context then eats
     * the answer's first byte.
     */
    static Prompt textPrompt(long seed) {
        return Prompt.text("Answer with JSON only, please (" + seed + "):");
    }

    static Stream<String> schemas() {
        return Stream.of(
                // an object with required and optional properties, a string with escapes allowed, numbers
                "{'type':'object','properties':{'name':{'type':'string'},'age':{'type':'integer'},'score':{'type':'number'}},"
                        + "'required':['name','score']}",
                // nested arrays
                "{'type':'array','items':{'type':'array','items':{'type':'integer'},'maxItems':3},'minItems':1,'maxItems':4}",
                // enums, anyOf, a bounded string, no further keys
                "{'type':'object','properties':{'unit':{'enum':['celsius','fahrenheit']},'value':{'anyOf':[{'type':'number'},"
                        + "{'type':'null'}]},'city':{'type':'string','minLength':1,'maxLength':12}},"
                        + "'required':['unit','value','city'],'additionalProperties':false}",
                // an array of objects through $defs, booleans, optional properties
                "{'$defs':{'step':{'type':'object','properties':{'done':{'type':'boolean'},'note':{'type':'string','maxLength':20}},"
                        + "'required':['done']}},'type':'object','properties':{'steps':{'type':'array','items':{'$ref':'#/$defs/step'}}},"
                        + "'required':['steps']}",
                // free-form values under a key
                "{'type':'object','properties':{'data':{'type':'object'}},'required':['data']}");
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void everyAnswerOfARandomModelParsesAndValidates(String schemaText) {
        JsonNode schema = SchemaValidation.parse(schemaText.replace('\'', '"'));
        OutputConstraint constraint = compiler.jsonSchema(schema);
        List<Recorder> runs = new ArrayList<>();
        for (long seed = 1; seed <= 6; seed++) {
            GenerationRequest request = GenerationRequest.builder("json-" + seed, textPrompt(seed))
                    .withMaxTokens(96)
                    .withSampling(SamplingParams.builder().withTemperature(1).withSeed(seed).build())
                    .withConstraint(constraint)
                    .build();
            Recorder r = new Recorder();
            engine.submit(request, r);
            runs.add(r);
        }
        for (Recorder r : runs) {
            FinishReason reason = r.reason();
            String output = r.text();
            assertThat(reason).as(output).isEqualTo(FinishReason.STOP);
            assertThat(SchemaValidation.errors(schema, output)).as(output).isEmpty();
        }
    }

    @Test
    void aTightBudgetStillEndsWithACompleteAnswer() {
        JsonNode schema = SchemaValidation.parse("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}");
        for (long seed = 1; seed <= 4; seed++) {
            Recorder r = run(GenerationRequest.builder("tight-" + seed, textPrompt(seed))
                    .withMaxTokens(12)
                    .withSampling(SamplingParams.builder().withTemperature(1).withSeed(seed).build())
                    .withConstraint(compiler.jsonSchema(schema))
                    .build());
            assertThat(r.count()).isLessThanOrEqualTo(12);
            assertThat(SchemaValidation.errors(schema, r.text())).as(r.text()).isEmpty();
        }
    }

    @Test
    void logitBiasChangesGreedyChoicesAsAsked() {
        Prompt prompt = LocalEngineTest.prompt(5, 3);
        int[] plain = run(LocalEngineTest.greedy("plain", prompt, 4)).ids();
        // -100 bans the greedy first token; +100 makes any token the choice
        GenerationRequest banned = LocalEngineTest.greedy("banned", prompt, 4).toBuilder()
                .withSampling(SamplingParams.builder().withLogitBias(Map.of(plain[0], -100.0)).build()).build();
        int[] withBan = run(banned).ids();
        assertThat(withBan).doesNotContain(plain[0]);
        int favourite = plain[0] == 300 ? 301 : 300;
        GenerationRequest pushed = LocalEngineTest.greedy("pushed", prompt, 4).toBuilder()
                .withSampling(SamplingParams.builder().withLogitBias(Map.of(favourite, 100.0)).build()).build();
        assertThat(run(pushed).ids()).containsOnly(favourite);
    }

    @Test
    void logitBiasBeyondTheVocabularyIsRefused() {
        GenerationRequest request = LocalEngineTest.greedy("far", LocalEngineTest.prompt(3, 1), 2).toBuilder()
                .withSampling(SamplingParams.builder().withLogitBias(Map.of(100_000, 1.0)).build()).build();
        assertThatThrownBy(() -> engine.submit(request, new Recorder()))
                .isInstanceOfSatisfying(InvalidGenerationException.class, e -> assertThat(e.param()).isEqualTo("logit_bias"));
    }

    @Test
    void requiredToolCallsFromARandomModelParseIntoValidCalls() {
        // Given tools rendered by the checkpoint's own (Llama-2) template through the default tool prompt
        List<ToolDefinition> tools = List.of(
                new ToolDefinition("get_weather", "Current weather", SchemaValidation.parse(
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":16},"
                                + "\"days\":{\"type\":\"integer\"}},\"required\":[\"city\"]}")),
                new ToolDefinition("get_time", "The time now", null));
        Conversation chat = new Conversation(List.of(new ChatMessage("user", "Weather in Paris?")), tools, ToolChoice.REQUIRED);
        PromptFormat format;
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            format = PromptFormats.forCheckpoint(checkpoint, engine.tokenizer());
        }
        OutputConstraint constraint = compiler.toolCalls(format.toolCallSyntax(), tools, ToolChoice.REQUIRED, true,
                SchemaMode.STRICT);
        for (long seed = 1; seed <= 6; seed++) {
            // When a random model answers at temperature 1
            Recorder r = run(GenerationRequest.builder("tools-" + seed, format.chat(chat))
                    .withMaxTokens(80)
                    .withSampling(SamplingParams.builder().withTemperature(1).withSeed(seed).build())
                    .withConstraint(constraint)
                    .build());
            // Then the answer is calls of the given tools, each with valid arguments, and nothing else
            ToolCallParser parser = new ToolCallParser(format.toolCallSyntax());
            List<ToolCallParser.Event> events = new ArrayList<>(parser.push(r.text()));
            events.addAll(parser.finish());
            assertThat(parser.calls()).as(r.text()).isPositive();
            Map<Integer, String> names = new java.util.HashMap<>();
            for (ToolCallParser.Event e : events) {
                if (e instanceof ToolCallParser.CallStart start) {
                    names.put(start.index(), start.name());
                } else if (e instanceof ToolCallParser.CallEnd end) {
                    ToolDefinition tool = tools.stream().filter(t -> t.name().equals(names.get(end.index()))).findFirst().orElseThrow();
                    assertThat(SchemaValidation.errors(tool.parameters(), end.arguments())).as(r.text()).isEmpty();
                } else if (e instanceof ToolCallParser.Text t) {
                    assertThat(t.text()).as(r.text()).isBlank();
                }
            }
        }
    }
}
