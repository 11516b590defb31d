/**
 * Per-key request, token and concurrency limits and the remote-spend budget: Bucket4j buckets and
 * semaphores in memory for one replica, or buckets as columns and expiring leases in PostgreSQL shared
 * by several, each request admitted in one call and settled in another (PL/pgSQL, migration V4).
 *
 * <p>May import: {@code core}, {@code ops}.
 */
package dev.tandem.server.ops.limits;
