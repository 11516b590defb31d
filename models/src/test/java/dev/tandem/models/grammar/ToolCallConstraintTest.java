package dev.tandem.models.grammar;

import static dev.tandem.models.grammar.JsonSchemaMatcherTest.accepts;
import static dev.tandem.models.grammar.JsonSchemaMatcherTest.schema;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.ToolCallSyntax;
import dev.tandem.models.ToolChoice;
import dev.tandem.models.ToolDefinition;
import dev.tandem.models.text.ToolCallParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Tool calls as grammars: what each tool_choice lets a model write. */
class ToolCallConstraintTest {
    private static final ConstraintCompiler COMPILER = new ConstraintCompiler(TestVocabulary.VOCABULARY);
    static final List<ToolDefinition> TOOLS = List.of(
            new ToolDefinition("get_weather", "Current weather", schema(
                    "{'type':'object','properties':{'city':{'type':'string','maxLength':12},'unit':{'enum':['C','F']}},"
                            + "'required':['city']}")),
            new ToolDefinition("get_time", "", null));

    static GrammarConstraint tools(ToolCallSyntax syntax, ToolChoice choice, boolean parallel) {
        return COMPILER.toolCalls(syntax, TOOLS, choice, parallel, SchemaMode.STRICT);
    }

    @Test
    void requiredMakesTheWholeOutputCallsOfKnownToolsWithValidArguments() {
        GrammarConstraint c = tools(ToolCallSyntax.BRACKETED_LIST, ToolChoice.REQUIRED, true);
        assertThat(accepts(c, "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]")).isTrue();
        assertThat(accepts(c, " [TOOL_CALLS][{\"name\":\"get_time\",\"arguments\":{}},{\"name\":\"get_weather\","
                + "\"arguments\":{\"city\":\"Oslo\",\"unit\":\"C\"}}]")).isTrue();
        assertThat(accepts(c, "Sure! [TOOL_CALLS] [{\"name\":\"get_time\",\"arguments\":{}}]")).isFalse();
        assertThat(accepts(c, "[TOOL_CALLS] []")).isFalse();
        assertThat(accepts(c, "[TOOL_CALLS] [{\"name\":\"get_date\",\"arguments\":{}}]")).isFalse();
        assertThat(accepts(c, "[TOOL_CALLS] [{\"name\":\"get_weather\",\"arguments\":{}}]")).isFalse();
        assertThat(accepts(c, "[TOOL_CALLS] [{\"name\":\"get_time\",\"arguments\":{\"x\":1}}]")).isFalse();
    }

    @Test
    void aNamedToolIsTheOneCallAndWithoutParallelCallsOneCallIsAll() {
        GrammarConstraint named = tools(ToolCallSyntax.BRACKETED_LIST, ToolChoice.named("get_time"), true);
        assertThat(accepts(named, "[TOOL_CALLS] [{\"name\":\"get_time\",\"arguments\":{}}]")).isTrue();
        assertThat(accepts(named, "[TOOL_CALLS] [{\"name\":\"get_weather\",\"arguments\":{\"city\":\"x\"}}]")).isFalse();
        assertThat(accepts(named, "[TOOL_CALLS] [{\"name\":\"get_time\",\"arguments\":{}},{\"name\":\"get_time\",\"arguments\":{}}]"))
                .isFalse();
        GrammarConstraint single = tools(ToolCallSyntax.BRACKETED_LIST, ToolChoice.REQUIRED, false);
        assertThat(accepts(single, "[TOOL_CALLS] [{\"name\":\"get_time\",\"arguments\":{}},{\"name\":\"get_time\",\"arguments\":{}}]"))
                .isFalse();
    }

    @Test
    void autoAllowsTextAndConstrainsCallsOnceTheMarkerIsWritten() {
        GrammarConstraint c = tools(ToolCallSyntax.BRACKETED_LIST, ToolChoice.AUTO, true);
        assertThat(accepts(c, "Just text, with [brackets] and [TOOL_ but no call.")).isTrue();
        assertThat(accepts(c, "")).isTrue();
        assertThat(accepts(c, "Checking. [TOOL_CALLS] [{\"name\": \"get_time\", \"arguments\": {}}]")).isTrue();
        assertThat(accepts(c, "Checking. [TOOL_CALLS] [{\"name\": \"nope\"")).isFalse();
        assertThat(accepts(c, "[TOOL_CALLS] [{\"name\": \"get_time\", \"arguments\": {}}] and more")).isFalse();
        assertThat(accepts(c, "[TOOL_CALLS]")).isFalse(); // a started call list must be finished
        assertThat(tools(ToolCallSyntax.BRACKETED_LIST, ToolChoice.NONE, true)).isNull();
    }

    @Test
    void hermesBlocks() {
        GrammarConstraint required = tools(ToolCallSyntax.HERMES, ToolChoice.REQUIRED, true);
        String call = "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
        assertThat(accepts(required, call)).isTrue();
        assertThat(accepts(required, call + "\n" + call)).isTrue();
        assertThat(accepts(required, "Hi " + call)).isFalse();
        GrammarConstraint auto = tools(ToolCallSyntax.HERMES, ToolChoice.AUTO, true);
        assertThat(accepts(auto, "Let me see.\n" + call + "\nDone.")).isTrue();
        assertThat(accepts(auto, "<tool_call>\n{\"name\": \"x\"}")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(ToolCallSyntax.class)
    void randomOutputsParseIntoCallsOfKnownToolsWithValidArguments(ToolCallSyntax syntax) {
        SplittableRandom random = new SplittableRandom(11);
        int calls = 0;
        for (ToolChoice choice : List.of(ToolChoice.REQUIRED, ToolChoice.AUTO, ToolChoice.named("get_weather"))) {
            GrammarConstraint c = tools(syntax, choice, true);
            for (int run = 0; run < 40; run++) {
                int budget = c.shortestOutput() + random.nextInt(60);
                String output = TestVocabulary.text(RandomWalkTest.walk(c.start(budget), budget, random));
                List<ToolCallParser.Event> events = parseAll(syntax, output);
                List<String> called = validCalls(events, output);
                if (choice.kind() == ToolChoice.Kind.NAMED) {
                    assertThat(called).as(output).containsOnly("get_weather");
                }
                int found = called.size();
                if (choice.kind() != ToolChoice.Kind.AUTO) {
                    assertThat(found).as(output).isPositive();
                    assertThat(events).as(output).noneMatch(e -> e instanceof ToolCallParser.Text t && !t.text().isBlank());
                }
                calls += found;
            }
        }
        assertThat(calls).isGreaterThan(80);
    }

    private static final JsonNode ANSWER = schema("{'type':'object','properties':{'summary':{'type':'string','maxLength':20}},"
            + "'required':['summary'],'additionalProperties':false}");

    static GrammarConstraint callsOrJson(ToolCallSyntax syntax) {
        return COMPILER.either(tools(syntax, ToolChoice.REQUIRED, true), COMPILER.jsonSchema(ANSWER, SchemaMode.STRICT));
    }

    @Test
    void callsOrJsonAllowsEitherWholeButNeitherTextNorTheTwoTogether() {
        GrammarConstraint c = callsOrJson(ToolCallSyntax.BRACKETED_LIST);
        assertThat(accepts(c, "[TOOL_CALLS] [{\"name\": \"get_time\", \"arguments\": {}}]")).isTrue();
        assertThat(accepts(c, " {\"summary\": \"all done\"}")).isTrue();
        assertThat(accepts(c, "[{\"summary\": \"a list\"}]")).isFalse(); // JSON, but not the format's
        assertThat(accepts(c, "{\"summary\": \"x\"} [TOOL_CALLS] [{\"name\": \"get_time\", \"arguments\": {}}]")).isFalse();
        assertThat(accepts(c, "Sure: {\"summary\": \"x\"}")).isFalse();
        assertThat(accepts(c, "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {}}]")).isFalse();
        GrammarConstraint hermes = callsOrJson(ToolCallSyntax.HERMES);
        assertThat(accepts(hermes, "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>")).isTrue();
        assertThat(accepts(hermes, "{\"summary\":\"ok\"}")).isTrue();
        assertThat(c.shortestOutput()).isEqualTo(Math.min(tools(ToolCallSyntax.BRACKETED_LIST, ToolChoice.REQUIRED, true).shortestOutput(),
                COMPILER.jsonSchema(ANSWER, SchemaMode.STRICT).shortestOutput()));
    }

    @ParameterizedTest
    @EnumSource(ToolCallSyntax.class)
    void randomCallsOrJsonOutputsAreValidCallsOrSchemaValidJsonAndBothHappen(ToolCallSyntax syntax) {
        // Given the union of calls and a format's JSON, walked at random within random budgets
        GrammarConstraint c = callsOrJson(syntax);
        SplittableRandom random = new SplittableRandom(5);
        int calls = 0;
        int answers = 0;
        for (int run = 0; run < 60; run++) {
            int budget = c.shortestOutput() + random.nextInt(60);
            String output = TestVocabulary.text(RandomWalkTest.walk(c.start(budget), budget, random));
            List<ToolCallParser.Event> events = parseAll(syntax, output);
            if (events.stream().anyMatch(e -> e instanceof ToolCallParser.CallStart)) {
                // Then a call is only calls, each of a known tool with valid arguments
                assertThat(events).as(output).noneMatch(e -> e instanceof ToolCallParser.Text t && !t.text().isBlank());
                calls += validCalls(events, output).size();
            } else {
                // and anything else is JSON valid for the format
                assertThat(SchemaValidation.errors(ANSWER, output.strip())).as(output).isEmpty();
                answers++;
            }
        }
        assertThat(calls).isPositive();
        assertThat(answers).isPositive();
    }

    /** The names of the calls in {@code events}, each checked: a tool of {@link #TOOLS}, its arguments valid for it. */
    private static List<String> validCalls(List<ToolCallParser.Event> events, String output) {
        Map<Integer, String> names = new java.util.HashMap<>();
        List<String> called = new ArrayList<>();
        for (ToolCallParser.Event e : events) {
            if (e instanceof ToolCallParser.CallStart start) {
                assertThat(TOOLS).as(output).extracting(ToolDefinition::name).contains(start.name());
                names.put(start.index(), start.name());
            } else if (e instanceof ToolCallParser.CallEnd end) {
                String name = names.get(end.index());
                ToolDefinition tool = TOOLS.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
                assertThat(SchemaValidation.errors(tool.parameters(), end.arguments())).as(output).isEmpty();
                called.add(name);
            }
        }
        return called;
    }

    private static List<ToolCallParser.Event> parseAll(ToolCallSyntax syntax, String output) {
        ToolCallParser parser = new ToolCallParser(syntax);
        List<ToolCallParser.Event> events = new ArrayList<>(parser.push(output));
        events.addAll(parser.finish());
        return events;
    }
}
