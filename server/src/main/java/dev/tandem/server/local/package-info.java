/**
 * The local engine as a {@link dev.tandem.server.core.Backend}: its lifecycle (the checkpoint, the
 * demo one, loading in the background), its configuration section, prompts (chat templates with tools,
 * calls and results, infill) tokenised once, the context window applied before submitting (max_tokens
 * clamped), the constraints that enforce tool calls and structured output (compiled once per schema),
 * and engine events as internal events (tool calls parsed from the text as it streams).
 *
 * <p>May import: {@code core}, {@code dev.tandem.models}.
 */
package dev.tandem.server.local;
