package dev.tandem.server.ops.gate;

import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Map;

/**
 * A before-handler: every path but the open ones (/health, /ready, /metrics by default) and the
 * admin ones (which check the master key themselves) needs a valid key. Inference requests are
 * checked again, with limits, by {@link GateBackend}.
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
        if (!auth.enabled() || auth.isOpen(path) || isAdmin(path) || "OPTIONS".equals(ctx.method().name())) {
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
        try {
            auth.authenticate(headers);
        } catch (GateException e) {
            onRejected.run();
            throw e;
        }
    }

    static boolean isAdmin(String path) {
        return path.startsWith("/admin/") || path.equals("/admin") || path.equals("/v1/usage");
    }
}
