/**
 * The usage and cost ledger: one priced row per request ({@link dev.tandem.server.ops.ledger.UsageLedger}:
 * SQLite, or PostgreSQL shared by replicas), written before the client sees the end of its answer;
 * with PostgreSQL, a row the store could not take then waits and is written once it answers
 * ({@link dev.tandem.server.ops.ledger.RetryingUsageLedger}), never lost.
 *
 * <p>May import: {@code core}, {@code ops}.
 */
package dev.tandem.server.ops.ledger;
