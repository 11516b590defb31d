/**
 * Per-key request, token and concurrency limits (Bucket4j buckets and semaphores, in memory now).
 *
 * <p>May import: {@code core}.
 */
package dev.tandem.server.ops.limits;
