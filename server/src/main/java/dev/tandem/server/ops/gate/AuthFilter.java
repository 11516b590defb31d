package dev.tandem.server.ops.gate;

import dev.tandem.server.core.Caller;
import io.javalin.http.Context;

/**
 * A before-handler: every path but the open ones (/health, /ready, /metrics by default) and the
 * admin ones (which check the master key themselves) needs a valid key. The caller it finds travels
 * on with the request ({@link #callerOf}, read by the dialect edges into the internal request);
 * {@link GateBackend} applies the key's model list, limits and budget.
 */
public final class AuthFilter {
    private static final String CALLER = "tandem.caller";

    private final Authenticator auth;

    public AuthFilter(Authenticator auth) {
        this.auth = auth;
    }

    public void handle(Context ctx) {
        String path = ctx.path();
        if (auth.isOpen(path) || isAdmin(path) || "OPTIONS".equals(ctx.method().name())) {
            return;
        }
        ctx.attribute(CALLER, auth.authenticate(Authenticator.credentials(ctx::header)));
    }

    /** The caller this filter found for the request; anonymous where it did not run. */
    public static Caller callerOf(Context ctx) {
        Caller caller = ctx.attribute(CALLER);
        return caller == null ? Caller.ANONYMOUS : caller;
    }

    static boolean isAdmin(String path) {
        return path.startsWith("/admin/") || path.equals("/admin") || path.equals("/v1/usage");
    }
}
