package dev.tandem.server.ops.limits;

/**
 * The {@code limits:} section. The limits themselves belong to each API key (rpm, tpm, concurrent
 * requests, budget); this switch turns their enforcement off, e.g. for a benchmark.
 *
 * @param enabled per-key limits and budgets enforced
 */
public record LimitsConfig(boolean enabled) {}
