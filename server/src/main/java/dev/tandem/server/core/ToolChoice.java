package dev.tandem.server.core;

import java.util.Objects;

/**
 * Whether the model may, must or must not call the request's tools, which one it must call, and
 * whether it may make several calls in one answer. Both dialects' wordings map onto it at the edge
 * (OpenAI's {@code "auto"}, {@code "none"}, {@code "required"}, a named function and
 * {@code parallel_tool_calls}; Anthropic's {@code auto}, {@code any}, {@code tool}, {@code none} and
 * {@code disable_parallel_tool_use}); every backend maps it back to what it runs or sends.
 *
 * @param name the tool that must be called (mode {@link Mode#NAMED} only)
 * @param parallel several calls in one answer allowed (the default)
 */
public record ToolChoice(Mode mode, String name, boolean parallel) {
    /** The default: calls allowed, not required; several at once allowed. */
    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null, true);
    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null, true);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null, true);

    public enum Mode {
        /** Text, tool calls, or both, as the model decides. */
        AUTO,
        /** No calls (the tools are not even shown to a local model). */
        NONE,
        /** At least one call (OpenAI's "required", Anthropic's "any"). */
        REQUIRED,
        /** A call of the named tool. */
        NAMED
    }

    public ToolChoice {
        Objects.requireNonNull(mode, "mode");
        if ((mode == Mode.NAMED) != (name != null)) {
            throw new IllegalArgumentException("a tool name goes with NAMED, and only with it");
        }
    }

    public static ToolChoice named(String name) {
        return new ToolChoice(Mode.NAMED, Objects.requireNonNull(name, "name"), true);
    }

    public ToolChoice withParallel(boolean v) {
        return new ToolChoice(mode, name, v);
    }
}
