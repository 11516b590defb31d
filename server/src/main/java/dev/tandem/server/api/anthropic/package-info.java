/**
 * The Anthropic dialect edge: Messages and count_tokens. Wire records (which mirror Anthropic's JSON
 * field for field and so have no builders), their checks, and the stream's events.
 *
 * <p>May import: {@code api}, {@code core}.
 */
package dev.tandem.server.api.anthropic;
