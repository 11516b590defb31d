/**
 * The stores, chosen by configuration ({@code store.kind}): keys, the ledger and the limits in a
 * SQLite file and process memory (one machine), or shared by several replicas in PostgreSQL. The one
 * place that builds them; whether the store can be reached, for {@code /ready}.
 *
 * <p>May import: {@code core}, {@code ops}, {@code ops.keys}, {@code ops.ledger}, {@code ops.limits}, {@code ops.responses}.
 */
package dev.tandem.server.ops.store;
