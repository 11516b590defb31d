/**
 * API keys: what a key is (its name, policy and limits), and where keys live
 * ({@link dev.tandem.server.ops.keys.KeyStore}: SQLite, or PostgreSQL shared by replicas, behind a
 * short-lived cache), secrets kept only as hashes.
 *
 * <p>May import: {@code core}, {@code ops}.
 */
package dev.tandem.server.ops.keys;
