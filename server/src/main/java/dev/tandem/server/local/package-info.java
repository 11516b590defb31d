/**
 * The local engine as a {@link dev.tandem.server.core.Backend}: its lifecycle (the checkpoint, the
 * demo one, loading in the background), its configuration section, prompts (chat templates,
 * infill) tokenised once, the context window applied before submitting, engine events as internal
 * events.
 *
 * <p>May import: {@code core}, {@code dev.tandem.models}.
 */
package dev.tandem.server.local;
