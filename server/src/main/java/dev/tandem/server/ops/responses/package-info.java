/**
 * Stored responses of the Responses API ({@link dev.tandem.server.core.ResponseStore}: in SQLite, in
 * the same file as the keys and the ledger, or in the shared PostgreSQL store), bounded in number and
 * age, each scoped to its API key.
 *
 * <p>May import: {@code core}, {@code ops}.
 */
package dev.tandem.server.ops.responses;
