package dev.tandem.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.ToolCallSyntax;
import dev.tandem.models.text.ToolCallParser.ArgumentsDelta;
import dev.tandem.models.text.ToolCallParser.CallEnd;
import dev.tandem.models.text.ToolCallParser.CallStart;
import dev.tandem.models.text.ToolCallParser.Event;
import dev.tandem.models.text.ToolCallParser.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ToolCallParserTest {

    static ToolCallParser parser(ToolCallSyntax syntax) {
        AtomicInteger n = new AtomicInteger();
        return new ToolCallParser(syntax, () -> "call_" + n.getAndIncrement());
    }

    /** The events of {@code output} pushed in pieces cut at {@code cuts}, adjacent deltas joined. */
    static List<Event> parse(ToolCallSyntax syntax, String output, int... cuts) {
        ToolCallParser p = parser(syntax);
        List<Event> events = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            events.addAll(p.push(output.substring(from, cut)));
            from = cut;
        }
        events.addAll(p.push(output.substring(from)));
        events.addAll(p.finish());
        return joined(events);
    }

    static List<Event> joined(List<Event> events) {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            Event last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (e instanceof Text t && last instanceof Text l) {
                out.set(out.size() - 1, new Text(l.text() + t.text()));
            } else if (e instanceof ArgumentsDelta d && last instanceof ArgumentsDelta l && l.index() == d.index()) {
                out.set(out.size() - 1, new ArgumentsDelta(d.index(), l.delta() + d.delta()));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    private static final String TWO_CALLS = "Let me check. [TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": "
            + "{\"city\": \"Paris \\\"FR\\\"\", \"days\": [1, 2]}}, {\"name\":\"time\",\"arguments\":{}}]";

    @Test
    void textThenCallsWithTheirArgumentsAsJsonText() {
        assertThat(parse(ToolCallSyntax.BRACKETED_LIST, TWO_CALLS)).containsExactly(
                new Text("Let me check. "),
                new CallStart(0, "call_0", "get_weather"),
                new ArgumentsDelta(0, "{\"city\": \"Paris \\\"FR\\\"\", \"days\": [1, 2]}"),
                new CallEnd(0, "{\"city\": \"Paris \\\"FR\\\"\", \"days\": [1, 2]}"),
                new CallStart(1, "call_1", "time"),
                new ArgumentsDelta(1, "{}"),
                new CallEnd(1, "{}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Let me check. [TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, {\"name\":\"t\",\"arguments\":{}}]",
        "Plain text with [brackets] and [TOOL_CALL but no marker.",
        "[TOOL_CALLS][{\"arguments\": {\"q\": \"}]\"}, \"name\": \"search\"}]",
        "[TOOL_CALLS] [{\"name\": \"f\", \"parameters\": \"{\\\"a\\\": 1}\"}]",
        "[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": {\"a\": 1"})
    void anySplitOfTheOutputGivesTheSameEvents(String output) {
        List<Event> whole = parse(ToolCallSyntax.BRACKETED_LIST, output);
        for (int cut = 0; cut <= output.length(); cut++) {
            assertThat(parse(ToolCallSyntax.BRACKETED_LIST, output, cut)).as("cut at %d", cut).isEqualTo(whole);
        }
        int[] everyChar = new int[output.length()];
        for (int i = 0; i < everyChar.length; i++) {
            everyChar[i] = i;
        }
        assertThat(parse(ToolCallSyntax.BRACKETED_LIST, output, everyChar)).isEqualTo(whole);
    }

    @Test
    void theMarkerIsNeverTextAndItsPrefixesAreHeldOnlyUntilTheyAreNotIt() {
        ToolCallParser p = parser(ToolCallSyntax.BRACKETED_LIST);
        assertThat(p.push("a [TOOL")).containsExactly(new Text("a "));
        assertThat(p.push("S are")).containsExactly(new Text("[TOOLS are"));
        assertThat(p.push(" [TOOL_CALLS]")).containsExactly(new Text(" "));
        assertThat(p.finish()).isEmpty();
        assertThat(parse(ToolCallSyntax.BRACKETED_LIST, "No tools [TOOL_")).containsExactly(new Text("No tools [TOOL_"));
    }

    @Test
    void argumentsStreamAsTheyComeOnceTheNameIsKnown() {
        ToolCallParser p = parser(ToolCallSyntax.BRACKETED_LIST);
        assertThat(p.push("[TOOL_CALLS] [{\"name\": \"search\", \"arguments\": {\"q\": \"ja")).containsExactly(
                new CallStart(0, "call_0", "search"), new ArgumentsDelta(0, "{\"q\": \"ja"));
        assertThat(p.push("va\"}")).containsExactly(new ArgumentsDelta(0, "va\"}"));
        assertThat(p.push("}]")).containsExactly(new CallEnd(0, "{\"q\": \"java\"}"));
    }

    @Test
    void argumentsWrittenAsAStringAreUnquoted() {
        assertThat(parse(ToolCallSyntax.BRACKETED_LIST, "[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 1}\"}]"))
                .contains(new CallEnd(0, "{\"a\": 1}"));
    }

    @Test
    void anUnfinishedCallIsReleasedAsText() {
        assertThat(parse(ToolCallSyntax.BRACKETED_LIST, "[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": {\"a\": 1"))
                .endsWith(new Text("{\"name\": \"f\", \"arguments\": {\"a\": 1"));
    }

    @Test
    void hermesBlocksMayBeSurroundedByText() {
        String output = "Sure.\n<tool_call>\n{\"name\": \"a\", \"arguments\": {\"x\": 1}}\n</tool_call>\n<tool_call>\n"
                + "{\"name\": \"b\", \"arguments\": {}}\n</tool_call>";
        List<Event> whole = parse(ToolCallSyntax.HERMES, output);
        assertThat(whole).containsExactly(
                new Text("Sure.\n"),
                new CallStart(0, "call_0", "a"), new ArgumentsDelta(0, "{\"x\": 1}"), new CallEnd(0, "{\"x\": 1}"),
                new Text("\n"),
                new CallStart(1, "call_1", "b"), new ArgumentsDelta(1, "{}"), new CallEnd(1, "{}"));
        for (int cut = 0; cut <= output.length(); cut++) {
            assertThat(parse(ToolCallSyntax.HERMES, output, cut)).as("cut at %d", cut).isEqualTo(whole);
        }
    }
}
