package dev.tandem.server.ops.gate;

import dev.tandem.server.core.Assert;
import java.util.List;

/**
 * The {@code auth:} section (defaults in {@code tandem-defaults.yaml}).
 *
 * @param enabled API keys required (switching it off takes an explicit line and is logged as a
 *     warning at start)
 * @param masterKey guards /admin and /v1/usage, usually {@code ${TANDEM_MASTER_KEY}}; admin routes
 *     answer 401 while it is unset (blank)
 * @param openPaths paths served without a key (exact match)
 */
public record AuthConfig(boolean enabled, String masterKey, List<String> openPaths) {

    public AuthConfig {
        masterKey = masterKey == null || masterKey.isBlank() ? null : masterKey;
        openPaths = List.copyOf(Assert.notNull(openPaths, "auth.openPaths"));
    }

    @Override
    public String toString() {
        return "AuthConfig[enabled=" + enabled + ", masterKey=" + (masterKey == null ? "unset" : "***")
                + ", openPaths=" + openPaths + "]";
    }
}
