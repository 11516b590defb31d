package dev.tandem.server.core;

public enum Role {
    SYSTEM,
    USER,
    ASSISTANT,
    /** A tool's result (OpenAI's "tool" role; Anthropic carries it as a user tool_result block). */
    TOOL
}
