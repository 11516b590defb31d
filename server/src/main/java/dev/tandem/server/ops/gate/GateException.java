package dev.tandem.server.ops.gate;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import java.time.Duration;

/**
 * A request the gate turned away. Carries what the generic kind mapping cannot: OpenAI's error
 * {@code code} and, for spend limits, its {@code insufficient_quota} type.
 */
public final class GateException extends ApiException {
    private final String openAiCode;
    private final String openAiType;

    private GateException(ErrorKind kind, String message, Duration retryAfter, String openAiType, String openAiCode) {
        super(kind, message, null, retryAfter, null);
        this.openAiType = openAiType;
        this.openAiCode = openAiCode;
    }

    public static GateException missingKey() {
        return new GateException(ErrorKind.AUTHENTICATION,
                "Missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.", null,
                "invalid_request_error", "invalid_api_key");
    }

    public static GateException invalidKey() {
        return new GateException(ErrorKind.AUTHENTICATION, "Invalid API key.", null,
                "invalid_request_error", "invalid_api_key");
    }

    public static GateException revokedKey() {
        return new GateException(ErrorKind.AUTHENTICATION, "This API key has been revoked.", null,
                "invalid_request_error", "invalid_api_key");
    }

    public static GateException modelNotAllowed(String model) {
        return new GateException(ErrorKind.PERMISSION, "This API key may not use model '" + model + "'.", null,
                "invalid_request_error", "model_not_allowed");
    }

    public static GateException overLimit(String limit, Duration retryAfter) {
        String what = switch (limit) {
            case "rpm" -> "requests per minute";
            case "tpm" -> "tokens per minute";
            default -> "concurrent requests";
        };
        return new GateException(ErrorKind.RATE_LIMITED, "Rate limit reached for this API key (" + what
                + "). Retry after " + retryAfter.toSeconds() + " s.", retryAfter, "requests", "rate_limit_exceeded");
    }

    public static GateException budgetExhausted() {
        return new GateException(ErrorKind.RATE_LIMITED,
                "You exceeded the spend budget of this API key. Ask an operator to raise it.", null,
                "insufficient_quota", "insufficient_quota");
    }

    public static GateException adminOnly() {
        return new GateException(ErrorKind.AUTHENTICATION, "This endpoint needs the master key.", null,
                "invalid_request_error", "invalid_api_key");
    }

    public String openAiCode() {
        return openAiCode;
    }

    public String openAiType() {
        return openAiType;
    }
}
