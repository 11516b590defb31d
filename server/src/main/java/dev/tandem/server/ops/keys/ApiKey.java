package dev.tandem.server.ops.keys;

import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Policy;
import java.time.Instant;
import java.util.Objects;

/**
 * An API key as stored: everything but the secret, which exists only as a hash.
 *
 * @param spec its name, policy and limits
 * @param revoked when it was revoked, or null
 */
public record ApiKey(String id, KeySpec spec, Instant created, Instant revoked) {

    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(created, "created");
    }

    public String name() {
        return spec.name();
    }

    /** Routing policy; null: the server's. */
    public Policy policy() {
        return spec.policy();
    }

    public Caller.Limits limits() {
        return spec.limits();
    }

    /** Who calls with this key. */
    public Caller caller() {
        return new Caller(id, spec.policy(), spec.limits());
    }

    public boolean isRevoked() {
        return revoked != null;
    }
}
