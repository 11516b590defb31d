/**
 * What both dialect edges share: the one serve path of the generation endpoints
 * ({@link dev.tandem.server.api.ServePath}, {@link dev.tandem.server.api.Endpoint}), the one mapper from
 * failures to HTTP responses in every dialect ({@link dev.tandem.server.api.ErrorResponses},
 * {@link dev.tandem.server.api.ErrorFormat}), the strict JSON reader of request bodies, request ids,
 * SSE framing, the checks of request fields, the table of known fields an endpoint does not read
 * ({@link dev.tandem.server.api.FieldRules}: passed through, or refused by name), health and the model list.
 *
 * <p>May import: {@code core} (and Javalin, Jackson). Never a dialect package (they import this one),
 * never a backend or an operational step: the edge talks to one {@link dev.tandem.server.core.Backend}.
 */
package dev.tandem.server.api;
