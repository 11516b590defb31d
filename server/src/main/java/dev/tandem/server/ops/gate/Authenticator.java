package dev.tandem.server.ops.gate;

import dev.tandem.server.core.Caller;
import dev.tandem.server.ops.keys.ApiKey;
import dev.tandem.server.ops.keys.KeyStore;
import dev.tandem.server.ops.keys.Secrets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds who is calling from the request headers, as the official SDKs send the key. */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

    private final KeyStore keys;
    private final AuthConfig config;
    private final Runnable onRejected;

    /** @param onRejected told of each caller turned away (a missing, unknown or revoked key) */
    public Authenticator(KeyStore keys, AuthConfig config, Runnable onRejected) {
        this.keys = keys;
        this.config = config;
        this.onRejected = onRejected;
        if (!config.enabled()) {
            log.warn("API key authentication is OFF (auth.enabled: false): anyone who can reach this port may use it");
        }
    }

    public boolean enabled() {
        return config.enabled();
    }

    public boolean isOpen(String path) {
        return config.openPaths().contains(path);
    }

    /**
     * Who presents these credentials: the caller of their key, or {@link Caller#ANONYMOUS} when auth is off.
     *
     * @param credentials lower-case header names ({@link #credentials})
     * @throws GateException 401 when the key is missing, unknown or revoked
     */
    public Caller authenticate(Map<String, String> credentials) {
        if (!config.enabled()) {
            return Caller.ANONYMOUS;
        }
        Optional<String> secret = presentedKey(credentials);
        if (secret.isEmpty()) {
            throw rejected(GateException.missingKey());
        }
        return live(keys.findBySecret(secret.get()));
    }

    /**
     * The caller as the key store says now: {@code claimed} (set by the auth filter) re-read by its
     * key id, so that a revocation or a change of limits since then counts.
     *
     * @throws GateException 401 when auth is on and there is no caller, or the key is unknown or revoked
     */
    public Caller current(Caller claimed) {
        if (!config.enabled()) {
            return Caller.ANONYMOUS;
        }
        if (claimed.anonymous()) {
            throw rejected(GateException.missingKey());
        }
        return live(keys.findById(claimed.keyId()));
    }

    private Caller live(Optional<ApiKey> found) {
        if (found.isEmpty()) {
            throw rejected(GateException.invalidKey());
        }
        if (found.get().isRevoked()) {
            throw rejected(GateException.revokedKey());
        }
        return found.get().caller();
    }

    private GateException rejected(GateException e) {
        onRejected.run();
        return e;
    }

    /**
     * @param credentials lower-case header names ({@link #credentials})
     * @throws GateException 401 unless they carry the configured master key
     */
    public void requireMaster(Map<String, String> credentials) {
        if (!isMaster(credentials)) {
            throw rejected(GateException.adminOnly());
        }
    }

    /** True when the headers carry the configured master key. */
    public boolean isMaster(Map<String, String> headers) {
        return config.masterKey() != null
                && presentedKey(headers).map(k -> Secrets.constantTimeEquals(k, config.masterKey())).orElse(false);
    }

    /** The credential headers of a request, under lower-case names, from a header lookup such as {@code ctx::header}. */
    public static Map<String, String> credentials(Function<String, String> header) {
        Map<String, String> headers = new HashMap<>();
        for (String name : List.of("authorization", "x-api-key")) {
            String value = header.apply(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        return headers;
    }

    /** {@code Authorization: Bearer <key>} (recent SDKs of both dialects) or {@code x-api-key}. */
    static Optional<String> presentedKey(Map<String, String> headers) {
        String auth = headers.get("authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && !auth.substring(7).isBlank()) {
            return Optional.of(auth.substring(7).trim());
        }
        String apiKey = headers.get("x-api-key");
        if (apiKey != null && !apiKey.isBlank()) {
            return Optional.of(apiKey.trim());
        }
        return Optional.empty();
    }
}
