/**
 * The exact-match answer cache for deterministic requests, around the router.
 *
 * <p>May import: {@code core}, {@code ops}.
 */
package dev.tandem.server.ops.cache;
