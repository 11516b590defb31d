/**
 * Secrets found and masked: in prompts bound for a remote (masked, kept local or refused, as
 * configured) and in every log line.
 *
 * <p>May import: {@code core}, {@code ops}.
 */
package dev.tandem.server.ops.redaction;
