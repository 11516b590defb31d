package dev.tandem.server.core;

/** The wire format a request came in. Past the edge, only ledger and metrics look at it. */
public enum Dialect {
    OPENAI,
    ANTHROPIC
}
