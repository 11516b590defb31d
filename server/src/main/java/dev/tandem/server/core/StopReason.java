package dev.tandem.server.core;

/** Why a response ended, in Anthropic's vocabulary (the richer one); each dialect maps it. */
public enum StopReason {
    END_TURN,
    STOP_SEQUENCE,
    MAX_TOKENS,
    TOOL_USE,
    REFUSAL
}
