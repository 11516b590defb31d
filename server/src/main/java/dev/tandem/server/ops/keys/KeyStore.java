package dev.tandem.server.ops.keys;

import java.util.List;
import java.util.Optional;

/** Where API keys live: SQLite (one machine) or PostgreSQL (replicas). Secrets are kept only as hashes. */
public interface KeyStore extends AutoCloseable {

    CreatedKey create(KeySpec spec);

    /** The key whose secret is {@code secret}, revoked or not; empty when none. */
    Optional<ApiKey> findBySecret(String secret);

    Optional<ApiKey> findById(String id);

    List<ApiKey> list();

    /** Revokes the key; false when no such key. Revoking twice keeps the first time. */
    boolean revoke(String id);

    @Override
    void close();
}
