package dev.tandem.server.core;

import java.time.Duration;
import java.util.Objects;

/**
 * A failure to report to the caller in its dialect. The message is safe to show: it never carries
 * a secret.
 */
public class ApiException extends RuntimeException {
    private final ErrorKind kind;
    private final ErrorCode code;
    private final String param;
    private final Duration retryAfter;

    public ApiException(ErrorKind kind, String message) {
        this(kind, message, null, null, null);
    }

    public ApiException(ErrorKind kind, String message, String param, Duration retryAfter, Throwable cause) {
        this(kind, null, message, param, retryAfter, cause);
    }

    /** @param code what exactly went wrong, or null when the kind says it all */
    public ApiException(ErrorKind kind, ErrorCode code, String message, String param, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.code = code;
        this.param = param;
        this.retryAfter = retryAfter;
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(ErrorKind.INVALID_REQUEST, message, param, null, null);
    }

    public ErrorKind kind() {
        return kind;
    }

    /** What exactly went wrong, or null. */
    public ErrorCode code() {
        return code;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }

    /** A Retry-After hint, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
