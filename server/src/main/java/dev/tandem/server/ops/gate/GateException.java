package dev.tandem.server.ops.gate;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorCode;
import dev.tandem.server.core.ErrorKind;
import java.time.Duration;

/** A request the gate turned away: who is calling, which model, which limit or budget. */
public final class GateException extends ApiException {

    private GateException(ErrorKind kind, ErrorCode code, String message, Duration retryAfter) {
        super(kind, code, message, null, retryAfter, null);
    }

    public static GateException missingKey() {
        return new GateException(ErrorKind.AUTHENTICATION, ErrorCode.INVALID_API_KEY,
                "Missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.", null);
    }

    public static GateException invalidKey() {
        return new GateException(ErrorKind.AUTHENTICATION, ErrorCode.INVALID_API_KEY, "Invalid API key.", null);
    }

    public static GateException revokedKey() {
        return new GateException(ErrorKind.AUTHENTICATION, ErrorCode.INVALID_API_KEY, "This API key has been revoked.", null);
    }

    public static GateException modelNotAllowed(String model) {
        return new GateException(ErrorKind.PERMISSION, ErrorCode.MODEL_NOT_ALLOWED,
                "This API key may not use model '" + model + "'.", null);
    }

    public static GateException overLimit(String limit, Duration retryAfter) {
        String what = switch (limit) {
            case "rpm" -> "requests per minute";
            case "tpm" -> "tokens per minute";
            default -> "concurrent requests";
        };
        return new GateException(ErrorKind.RATE_LIMITED, ErrorCode.RATE_LIMIT_EXCEEDED, "Rate limit reached for this API key ("
                + what + "). Retry after " + retryAfter.toSeconds() + " s.", retryAfter);
    }

    public static GateException budgetExhausted() {
        return new GateException(ErrorKind.RATE_LIMITED, ErrorCode.INSUFFICIENT_QUOTA,
                "You exceeded the spend budget of this API key. Ask an operator to raise it.", null);
    }

    public static GateException adminOnly() {
        return new GateException(ErrorKind.AUTHENTICATION, ErrorCode.INVALID_API_KEY, "This endpoint needs the master key.", null);
    }
}
