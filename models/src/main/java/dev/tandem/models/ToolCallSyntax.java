package dev.tandem.models;

/**
 * How a model writes tool calls in its output: a start marker, then JSON objects {@code {"name": …,
 * "arguments": {…}}}. The prompt format says which one its model expects ({@link
 * PromptFormat#toolCallSyntax()}); the parser and the constraint follow it.
 */
public enum ToolCallSyntax {
    /**
     * {@code [TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}}, …]}: the marker, then
     * a JSON list of calls, and nothing after it. Tandem's default (as Mistral writes calls).
     */
    BRACKETED_LIST("[TOOL_CALLS]", null),
    /**
     * {@code <tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>}, one block per call, text around
     * them allowed: chat templates of the Hermes / Qwen family.
     */
    HERMES("<tool_call>", "</tool_call>");

    private final String start;
    private final String end;

    ToolCallSyntax(String start, String end) {
        this.start = start;
        this.end = end;
    }

    /** What starts the calls (a list, or one call). */
    public String start() {
        return start;
    }

    /** What ends one call; null when the list itself ends the calls and the output. */
    public String end() {
        return end;
    }
}
