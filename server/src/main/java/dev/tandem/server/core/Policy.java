package dev.tandem.server.core;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a request may be served. Seen as sets of allowed places — {local}, {local, remote}, {remote} —
 * a policy can only be narrowed (intersection), never widened.
 */
public enum Policy {
    /** Compliance mode: nothing leaves the box; remote backends are never built. */
    LOCAL_ONLY("local-only", true, false),
    /** Local unless saturated, failing or unable; then the remote fallbacks. */
    PREFER_LOCAL("prefer-local", true, true),
    REMOTE_ONLY("remote-only", false, true);

    private final String wireName;
    private final boolean allowsLocal;
    private final boolean allowsRemote;

    Policy(String wireName, boolean allowsLocal, boolean allowsRemote) {
        this.wireName = wireName;
        this.allowsLocal = allowsLocal;
        this.allowsRemote = allowsRemote;
    }

    public boolean allowsLocal() {
        return allowsLocal;
    }

    public boolean allowsRemote() {
        return allowsRemote;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Parses "local-only", "LOCAL_ONLY", "prefer_local" …; throws IllegalArgumentException otherwise. */
    @JsonCreator
    public static Policy parse(String text) {
        String norm = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (Policy p : values()) {
            if (p.wireName.equals(norm)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown routing policy '" + text + "' (expected local-only, prefer-local or remote-only)");
    }

    /**
     * This policy narrowed by {@code other} (null: unchanged). PREFER_LOCAL narrows to either
     * *-ONLY; LOCAL_ONLY and REMOTE_ONLY together allow nothing, so that is refused.
     *
     * @param source who asks for the narrowing, for the error message
     */
    public Policy narrow(Policy other, String source) {
        if (other == null || other == this) {
            return this;
        }
        if (this == PREFER_LOCAL) {
            return other;
        }
        if (other == PREFER_LOCAL) {
            return this;
        }
        throw new ApiException(ErrorKind.PERMISSION,
                source + " asks for routing policy " + other.wireName + ", but only " + wireName
                        + " is allowed here (a policy can narrow, never widen)");
    }
}
