package dev.tandem.server.api.anthropic;

import dev.tandem.server.api.ErrorFormat;
import dev.tandem.server.api.Json;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import java.util.LinkedHashMap;
import java.util.Map;

/** Anthropic's error shape: {@code {"type":"error","error":{"type","message"}}}; overloaded is 529. */
public final class AnthropicErrors implements ErrorFormat {

    @Override
    public int status(ErrorKind kind) {
        return kind.status();
    }

    static String type(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST -> "invalid_request_error";
            case AUTHENTICATION -> "authentication_error";
            case PERMISSION -> "permission_error";
            case NOT_FOUND -> "not_found_error";
            case REQUEST_TOO_LARGE -> "request_too_large";
            case RATE_LIMITED -> "rate_limit_error";
            case OVERLOADED -> "overloaded_error";
            case TIMEOUT -> "timeout_error";
            case UPSTREAM, INTERNAL -> "api_error";
        };
    }

    @Override
    public Object body(ApiException error) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("type", type(error.kind()));
        inner.put("message", error.getMessage());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "error");
        body.put("error", inner);
        return body;
    }

    @Override
    public String streamError(ApiException error) {
        return "event: error\ndata: " + Json.write(body(error)) + "\n\n";
    }
}
