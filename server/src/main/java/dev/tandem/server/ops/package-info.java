/**
 * What every operational step shares: the decorator base ({@link dev.tandem.server.ops.ForwardingBackend}),
 * the observer that reports one outcome per request to its listeners (ledger, metrics), and the
 * SQLite connection the key store, the ledger and the response store use.
 *
 * <p>May import: {@code core}. Never its subpackages (they import this one).
 */
package dev.tandem.server.ops;
