/**
 * Logging as configured: text or JSON, every line through the secret redactor, the request id in
 * every line of a request.
 *
 * <p>May import: {@code core}, {@code ops.redaction}.
 */
package dev.tandem.server.ops.logging;
