/**
 * What every operational step shares: the decorator base ({@link dev.tandem.server.ops.ForwardingBackend}),
 * the observer that reports one outcome per request to its listeners (ledger, metrics), the SQLite
 * connection the key store, the ledger and the response store use, and the shared PostgreSQL store's plumbing: the pool
 * and migrations ({@link dev.tandem.server.ops.Postgres}), timed calls whose failures are sorted once
 * ({@link dev.tandem.server.ops.StoreCalls}: the store away is a 503, fail closed).
 *
 * <p>May import: {@code core}. Never its subpackages (they import this one).
 */
package dev.tandem.server.ops;
