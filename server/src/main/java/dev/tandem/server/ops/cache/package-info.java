/**
 * The exact-match answer cache for deterministic requests, around the router: {@code CachingBackend}
 * over one {@code AnswerStore}, in this replica's memory ({@code cache.kind: memory}, the default) or in
 * a Redis that replicas share ({@code redis}: keyed by the SHA-256 of the request's canonical JSON,
 * answers as tagged JSON; a Redis failure is a miss, never a failed request).
 *
 * <p>May import: {@code core}, {@code ops}.
 */
package dev.tandem.server.ops.cache;
