package dev.tandem.server.ops.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.core.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqliteKeyStoreTest extends KeyStoreContract {
    @Override
    KeyStore open(Path dir) {
        return new SqliteKeyStore(dir.resolve("contract.db"));
    }

    @Test
    void secretIsShownOnceAndStoredOnlyAsAHash() throws Exception {
        // Given a store with a new key
        Path db = dir.resolve("tandem.db");
        String secret;
        String hash;
        try (KeyStore store = new SqliteKeyStore(db)) {
            CreatedKey created = store.create(KeySpec.builder("ci").withPolicy(Policy.LOCAL_ONLY).withAllowedModels(List.of("codellama"))
                    .withRpm(60).withTpm(1000).withMaxConcurrent(2).withBudgetUsd(5.0).build());
            secret = created.secret();
            hash = Secrets.hash(secret);
            assertThat(secret).startsWith("tdm-").hasSize(4 + 43);
            assertThat(created.toString()).doesNotContain(secret);
        }
        // When the database file and its WAL are read as bytes
        StringBuilder bytes = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                bytes.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        // Then the plaintext is nowhere, and the hash is there
        assertThat(bytes.toString()).doesNotContain(secret).doesNotContain(secret.substring(4, 24)).contains(hash);
    }

    @Test
    void keysAreFoundBySecretListedAndRevokedAcrossRestarts() {
        Path db = dir.resolve("tandem.db");
        String secret;
        String id;
        try (KeyStore store = new SqliteKeyStore(db)) {
            CreatedKey created = store.create(KeySpec.builder("team-a").withPolicy(Policy.PREFER_LOCAL)
                    .withAllowedModels(List.of("a", "b")).withRpm(10).build());
            secret = created.secret();
            id = created.key().id();
            store.create(KeySpec.builder("team-b").build());
        }
        try (KeyStore store = new SqliteKeyStore(db)) {
            ApiKey found = store.findBySecret(secret).orElseThrow();
            assertThat(found.id()).isEqualTo(id);
            assertThat(found.limits().allowedModels()).containsExactly("a", "b");
            assertThat(found.policy()).isEqualTo(Policy.PREFER_LOCAL);
            assertThat(found.limits().rpm()).isEqualTo(10);
            assertThat(found.limits().tpm()).isNull();
            assertThat(found.isRevoked()).isFalse();
            assertThat(store.findBySecret(secret + "x")).isEmpty();
            assertThat(store.list()).extracting(ApiKey::name).containsExactly("team-a", "team-b");

            assertThat(store.revoke(id)).isTrue();
            assertThat(store.revoke("key_missing")).isFalse();
        }
        try (KeyStore store = new SqliteKeyStore(db)) {
            assertThat(store.findBySecret(secret).orElseThrow().isRevoked()).isTrue();
        }
    }
}
