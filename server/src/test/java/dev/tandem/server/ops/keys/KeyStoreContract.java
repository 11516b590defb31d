package dev.tandem.server.ops.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.server.core.Policy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every key store must do, written once and run on each store (SQLite, PostgreSQL). */
abstract class KeyStoreContract {
    @TempDir
    Path dir;
    KeyStore store;

    /** A new, empty key store. */
    abstract KeyStore open(Path dir);

    @BeforeEach
    void openStore() {
        store = open(dir);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aKeyIsFoundBySecretAndByIdWithEverythingItWasCreatedWith() {
        CreatedKey created = store.create(KeySpec.builder("ci").withPolicy(Policy.LOCAL_ONLY)
                .withAllowedModels(List.of("codellama", "tiny")).withRpm(60).withTpm(1000).withMaxConcurrent(2).withBudgetUsd(5.5).build());
        assertThat(created.secret()).startsWith("tdm-").hasSize(4 + 43);
        assertThat(created.toString()).doesNotContain(created.secret());

        for (ApiKey found : List.of(store.findBySecret(created.secret()).orElseThrow(), store.findById(created.key().id()).orElseThrow())) {
            assertThat(found).isEqualTo(created.key());
            assertThat(found.policy()).isEqualTo(Policy.LOCAL_ONLY);
            assertThat(found.limits().allowedModels()).containsExactly("codellama", "tiny");
            assertThat(found.limits().rpm()).isEqualTo(60);
            assertThat(found.limits().tpm()).isEqualTo(1000);
            assertThat(found.limits().maxConcurrent()).isEqualTo(2);
            assertThat(found.limits().budgetUsd()).isEqualTo(5.5);
            assertThat(found.isRevoked()).isFalse();
        }
        assertThat(store.findBySecret(created.secret() + "x")).isEmpty();
        assertThat(store.findById("key_missing")).isEmpty();
    }

    @Test
    void aKeyWithoutLimitsHasNone() {
        CreatedKey created = store.create(KeySpec.builder("plain").build());
        ApiKey found = store.findBySecret(created.secret()).orElseThrow();
        assertThat(found.policy()).isNull();
        assertThat(found.limits().allowedModels()).isEmpty();
        assertThat(found.limits().rpm()).isNull();
        assertThat(found.limits().tpm()).isNull();
        assertThat(found.limits().maxConcurrent()).isNull();
        assertThat(found.limits().budgetUsd()).isNull();
    }

    @Test
    void keysAreListedInTheOrderTheyWereMadeAndRevokedOnce() {
        CreatedKey a = store.create(KeySpec.builder("team-a").build());
        store.create(KeySpec.builder("team-b").build());
        store.create(KeySpec.builder("team-c").build());
        assertThat(store.list()).extracting(ApiKey::name).containsExactly("team-a", "team-b", "team-c");

        assertThat(store.revoke(a.key().id())).isTrue();
        ApiKey revoked = store.findBySecret(a.secret()).orElseThrow();
        assertThat(revoked.isRevoked()).isTrue();
        // revoking again keeps the first time
        assertThat(store.revoke(a.key().id())).isTrue();
        assertThat(store.findById(a.key().id()).orElseThrow().revoked()).isEqualTo(revoked.revoked());
        assertThat(store.revoke("key_missing")).isFalse();
        assertThat(store.list()).filteredOn(ApiKey::isRevoked).extracting(ApiKey::name).containsExactly("team-a");
    }

    @Test
    void badSpecsAreRefused() {
        assertThatThrownBy(() -> store.create(KeySpec.builder("x").withPolicy(Policy.parse("anywhere")).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy");
        assertThatThrownBy(() -> store.create(KeySpec.builder("x").withRpm(0).build()))
                .hasMessageContaining("rpm");
        assertThat(store.list()).isEmpty();
    }
}
