/**
 * The gate in front of the dispatcher: who is calling (the auth filter and the authenticator), may
 * they use this model, are they within their limits and budget; the admin API behind the master key.
 *
 * <p>May import: {@code core}, {@code ops}, {@code ops.keys}, {@code ops.ledger}, {@code ops.limits}.
 */
package dev.tandem.server.ops.gate;
