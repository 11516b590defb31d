package dev.tandem.models;

import java.util.Objects;

/** Whether the model may, must or must not call tools, or which one it must call. */
public record ToolChoice(Kind kind, String name) {
    public static final ToolChoice AUTO = new ToolChoice(Kind.AUTO, null);
    public static final ToolChoice NONE = new ToolChoice(Kind.NONE, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Kind.REQUIRED, null);

    public enum Kind {
        /** Free text, or calls once the call marker is written. */
        AUTO,
        /** No calls: tools are not even shown to the model. */
        NONE,
        /** The whole answer is one or more calls. */
        REQUIRED,
        /** The whole answer is one call of the named tool. */
        NAMED
    }

    public ToolChoice {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.NAMED) != (name != null)) {
            throw new IllegalArgumentException("a tool name goes with NAMED, and only with it");
        }
    }

    public static ToolChoice named(String name) {
        return new ToolChoice(Kind.NAMED, Objects.requireNonNull(name, "name"));
    }
}
