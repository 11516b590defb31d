/**
 * Per-key request, token and concurrency limits: Bucket4j buckets and semaphores in memory for one
 * replica, or Bucket4j buckets and expiring leases in PostgreSQL shared by several.
 *
 * <p>May import: {@code core}, {@code ops}.
 */
package dev.tandem.server.ops.limits;
