package dev.tandem.models;

/** Why a generation ended. */
public enum FinishReason {
    /** EOS, a stop token id or a stop string. */
    STOP,
    /** max_tokens reached, or the context window is full. */
    LENGTH,
    /** The caller cancelled (for instance, the client went away). */
    CANCELLED,
    /** The engine failed; the event's message says why. */
    ERROR
}
