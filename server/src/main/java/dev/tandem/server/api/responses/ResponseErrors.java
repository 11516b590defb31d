package dev.tandem.server.api.responses;

import dev.tandem.server.api.responses.ResponsesWire.Error;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorCode;
import java.time.Duration;

/**
 * A failure as the error of a {@code response.failed} event, in the codes Codex acts on:
 * {@code context_length_exceeded} and {@code insufficient_quota} end its turn, {@code rate_limit_exceeded}
 * makes it wait as long as the message's "try again in Ns" says, anything else ({@code server_error})
 * is retried.
 */
final class ResponseErrors {
    private ResponseErrors() {}

    static Error of(ApiException error) {
        ErrorCode code = error.code();
        if (code == ErrorCode.CONTEXT_WINDOW) {
            return new Error("context_length_exceeded", error.getMessage());
        }
        if (code == ErrorCode.INSUFFICIENT_QUOTA) {
            return new Error("insufficient_quota", error.getMessage());
        }
        return switch (error.kind()) {
            case RATE_LIMITED, OVERLOADED -> new Error("rate_limit_exceeded", error.getMessage() + tryAgain(error.retryAfter()));
            default -> new Error("server_error", error.getMessage());
        };
    }

    private static String tryAgain(Duration retryAfter) {
        return retryAfter == null ? "" : " Please try again in " + Math.max(1, (retryAfter.toMillis() + 999) / 1000) + "s.";
    }
}
