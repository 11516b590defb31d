package dev.tandem.server.ops.gate;

import dev.tandem.server.ops.keys.ApiKey;
import dev.tandem.server.ops.keys.KeyStore;
import dev.tandem.server.ops.keys.Secrets;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds who is calling from the request headers, as the official SDKs send the key. */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

    private final KeyStore keys;
    private final AuthConfig config;

    public Authenticator(KeyStore keys, AuthConfig config) {
        this.keys = keys;
        this.config = config;
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
     * The caller's key, or empty when auth is off.
     *
     * @param headers lower-case names
     * @throws GateException 401 when the key is missing, unknown or revoked
     */
    public Optional<ApiKey> authenticate(Map<String, String> headers) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        String secret = presentedKey(headers).orElseThrow(GateException::missingKey);
        ApiKey key = keys.findBySecret(secret).orElseThrow(GateException::invalidKey);
        if (key.isRevoked()) {
            throw GateException.revokedKey();
        }
        return Optional.of(key);
    }

    /**
     * The key the auth filter already identified (its id derived into the request), re-read so a
     * revocation since then counts.
     */
    public ApiKey byDerivedId(String id) {
        ApiKey key = keys.findById(id).orElseThrow(GateException::invalidKey);
        if (key.isRevoked()) {
            throw GateException.revokedKey();
        }
        return key;
    }

    /** True when the headers carry the configured master key. */
    public boolean isMaster(Map<String, String> headers) {
        return config.masterKey() != null
                && presentedKey(headers).map(k -> Secrets.constantTimeEquals(k, config.masterKey())).orElse(false);
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
