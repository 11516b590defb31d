/**
 * Prometheus metrics: request outcomes, the engine's load, circuit states, upstream errors, gate and
 * cache counters.
 *
 * <p>May import: {@code core}, {@code ops}.
 */
package dev.tandem.server.ops.metrics;
