package dev.tandem.server.ops.gate;

import dev.tandem.server.core.Caller;
import io.javalin.http.Context;

/**
 * A before-handler, and the one place where a request's credentials are checked, whatever its method
 * (HEAD and OPTIONS included): the admin paths want the master key; so does the metrics path, unless
 * it is open ({@code metrics.open}) or keys are off; the open paths (/health, /ready by default) want
 * nothing; every other path wants a valid key. The caller it finds travels on with the request
 * ({@link #callerOf}, read by the dialect edges into the internal request); {@link GateBackend}
 * applies the key's model list, limits and budget.
 */
public final class AuthFilter {
    private static final String CALLER = "tandem.caller";

    private final Authenticator auth;
    private final String metricsPath;
    private final boolean metricsOpen;

    /** @param metricsOpen the metrics path wants no key; otherwise the master key while keys are on */
    public AuthFilter(Authenticator auth, String metricsPath, boolean metricsOpen) {
        this.auth = auth;
        this.metricsPath = metricsPath;
        this.metricsOpen = metricsOpen;
    }

    public void handle(Context ctx) {
        String path = ctx.path();
        if (isAdmin(path)) {
            auth.requireMaster(Authenticator.credentials(ctx::header));
        } else if (auth.isOpen(path)) {
            return;
        } else if (path.equals(metricsPath)) {
            if (!metricsOpen && auth.enabled()) {
                auth.requireMaster(Authenticator.credentials(ctx::header));
            }
        } else {
            ctx.attribute(CALLER, auth.authenticate(Authenticator.credentials(ctx::header)));
        }
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
