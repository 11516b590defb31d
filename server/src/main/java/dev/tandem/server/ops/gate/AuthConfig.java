package dev.tandem.server.ops.gate;

import java.util.List;

/**
 * The {@code auth:} section.
 *
 * @param enabled API keys required (default true; switching it off takes an explicit line and is
 *     logged as a warning at start)
 * @param masterKey guards /admin and /v1/usage, usually {@code ${TANDEM_MASTER_KEY}}; admin routes
 *     answer 401 while it is unset
 * @param openPaths paths served without a key (exact match)
 */
public record AuthConfig(Boolean enabled, String masterKey, List<String> openPaths) {
    public static final AuthConfig DEFAULTS = new AuthConfig(null, null, null);

    public AuthConfig {
        enabled = enabled == null ? Boolean.TRUE : enabled;
        masterKey = masterKey == null || masterKey.isBlank() ? null : masterKey;
        openPaths = openPaths == null ? List.of("/health", "/ready", "/metrics") : List.copyOf(openPaths);
    }

    @Override
    public String toString() {
        return "AuthConfig[enabled=" + enabled + ", masterKey=" + (masterKey == null ? "unset" : "***")
                + ", openPaths=" + openPaths + "]";
    }
}
