package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.ErrorCode;
import dev.tandem.server.core.ErrorKind;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP responses, in the caller's dialect: Anthropic for
 * {@code /v1/messages*} (and {@code /v1/models} asked with an {@code anthropic-version} header),
 * OpenAI's shape everywhere else. Every refusal goes through here, the gate's included; the shapes
 * are {@link ErrorFormat}'s. Each refusal (4xx) is logged once at INFO with its reason.
 */
public final class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {}

    public static Dialect dialectOf(Context ctx) {
        return dialectOf(ctx.path(), ctx.header("anthropic-version"));
    }

    /** @param anthropicVersion the request's {@code anthropic-version} header, or null */
    public static Dialect dialectOf(String path, String anthropicVersion) {
        if (path.startsWith("/v1/messages")) {
            return Dialect.ANTHROPIC;
        }
        if (path.startsWith("/v1/models") && anthropicVersion != null) {
            return Dialect.ANTHROPIC;
        }
        return Dialect.OPENAI;
    }

    /** Exception handler for {@link ApiException}. */
    public static void apiError(ApiException error, Context ctx) {
        if (error.kind() == ErrorKind.INTERNAL) {
            log.error("request {} failed: {}", RequestIds.of(ctx), error.getMessage(), error.getCause());
        }
        write(ctx, error);
    }

    /** The kind of failure an HTTP status says, for statuses others chose (Javalin's, Jetty's). */
    public static ErrorKind kindOf(int status) {
        return switch (status) {
            case 401 -> ErrorKind.AUTHENTICATION;
            case 403 -> ErrorKind.PERMISSION;
            case 404 -> ErrorKind.NOT_FOUND;
            case 413 -> ErrorKind.REQUEST_TOO_LARGE;
            case 429 -> ErrorKind.RATE_LIMITED;
            default -> status < 500 ? ErrorKind.INVALID_REQUEST : ErrorKind.INTERNAL;
        };
    }

    /** Exception handler for Javalin's own (unknown route, wrong method, ...). */
    public static void httpError(HttpResponseException error, Context ctx) {
        ErrorKind kind = kindOf(error.getStatus());
        String message = error.getStatus() == 404
                ? "No such endpoint: " + ctx.method() + " " + ctx.path() + "."
                : error.getMessage();
        write(ctx, new ApiException(kind, message), error.getStatus());
    }

    /** The last resort: something unexpected. Logged with its stack; the caller gets a dialect-shaped 500. */
    public static void unexpected(Exception error, Context ctx) {
        log.error("request {} failed unexpectedly", RequestIds.of(ctx), error);
        write(ctx, new ApiException(ErrorKind.INTERNAL, "Internal error; the request id is " + RequestIds.of(ctx) + "."));
    }

    /** Error handler for statuses set without a body (e.g. 404 of an unmatched route). */
    public static void statusWithoutBody(Context ctx) {
        if (ctx.result() == null && ctx.statusCode() == 404) {
            httpError(new io.javalin.http.NotFoundResponse(), ctx);
        }
    }

    public static void write(Context ctx, ApiException error) {
        write(ctx, error, ErrorFormat.of(dialectOf(ctx)).status(error.kind()));
    }

    private static void write(Context ctx, ApiException error, int status) {
        if (status < 500) { // one line per refusal, with its reason; failures of ours are logged as errors above
            log.info("request {} refused: {} {} {}: {}", RequestIds.of(ctx), status, ctx.method(), ctx.path(), error.getMessage());
        }
        ErrorFormat format = ErrorFormat.of(dialectOf(ctx));
        Duration retryAfter = error.retryAfter();
        if (retryAfter != null) {
            ctx.header("Retry-After", Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
        } else if (error.code() == ErrorCode.INSUFFICIENT_QUOTA) {
            // a spent budget does not clear by waiting; both SDKs retry a 429 unless told not to
            ctx.header("x-should-retry", "false");
        }
        ctx.status(status).contentType("application/json").result(Json.write(format.body(error)));
    }
}
