package dev.tandem.server.core;

/** Whether the server can answer: {@code status} is loading, ready or failed; {@code detail} says more. */
public record Readiness(boolean ready, String status, String detail) {}
