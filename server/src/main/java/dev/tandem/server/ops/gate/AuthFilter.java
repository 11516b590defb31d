package dev.tandem.server.ops.gate;

import dev.tandem.server.api.Params;
import dev.tandem.server.ops.TandemHeaders;
import dev.tandem.server.ops.keys.ApiKey;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Map;

/**
 * A before-handler: every path but the open ones (/health, /ready, /metrics by default) and the
 * admin ones (which check the master key themselves) needs a valid key. The key's id and routing
 * policy travel on as derived headers (the edge drops client-sent {@code x-tandem-key-*} and every
 * credential); {@link GateBackend} applies the key's model list, limits and budget.
 */
public final class AuthFilter {
    private final Authenticator auth;
    private final Runnable onRejected;

    public AuthFilter(Authenticator auth, Runnable onRejected) {
        this.auth = auth;
        this.onRejected = onRejected;
    }

    public void handle(Context ctx) {
        String path = ctx.path();
        if (auth.isOpen(path) || isAdmin(path) || "OPTIONS".equals(ctx.method().name())) {
            return;
        }
        if (!auth.enabled()) {
            Params.deriveHeader(ctx, TandemHeaders.KEY_ID, TandemHeaders.ANONYMOUS);
            return;
        }
        Map<String, String> headers = new HashMap<>();
        String authorization = ctx.header("Authorization");
        String apiKey = ctx.header("x-api-key");
        if (authorization != null) {
            headers.put("authorization", authorization);
        }
        if (apiKey != null) {
            headers.put("x-api-key", apiKey);
        }
        ApiKey key;
        try {
            key = auth.authenticate(headers).orElseThrow();
        } catch (GateException e) {
            onRejected.run();
            throw e;
        }
        Params.deriveHeader(ctx, TandemHeaders.KEY_ID, key.id());
        if (key.policy() != null) {
            Params.deriveHeader(ctx, TandemHeaders.KEY_POLICY, key.policy());
        }
    }

    static boolean isAdmin(String path) {
        return path.startsWith("/admin/") || path.equals("/admin") || path.equals("/v1/usage");
    }
}
