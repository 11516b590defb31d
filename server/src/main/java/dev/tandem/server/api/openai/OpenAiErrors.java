package dev.tandem.server.api.openai;

import dev.tandem.server.api.ErrorFormat;
import dev.tandem.server.api.Json;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import java.util.LinkedHashMap;
import java.util.Map;

/** OpenAI's error shape: {@code {"error":{"message","type","param","code"}}}. OpenAI has no 529: overloaded is 429. */
public final class OpenAiErrors implements ErrorFormat {

    @Override
    public int status(ErrorKind kind) {
        return kind == ErrorKind.OVERLOADED ? 429 : kind.status();
    }

    /** The error's type and code, in OpenAI's vocabulary. */
    static String[] typeAndCode(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST -> new String[] {"invalid_request_error", null};
            case AUTHENTICATION -> new String[] {"authentication_error", "invalid_api_key"};
            case PERMISSION -> new String[] {"permission_error", null};
            case NOT_FOUND -> new String[] {"invalid_request_error", "not_found"};
            case REQUEST_TOO_LARGE -> new String[] {"invalid_request_error", "request_too_large"};
            case RATE_LIMITED -> new String[] {"rate_limit_error", "rate_limit_exceeded"};
            case OVERLOADED -> new String[] {"rate_limit_error", "engine_overloaded"};
            case UPSTREAM -> new String[] {"server_error", "upstream_error"};
            case TIMEOUT -> new String[] {"server_error", "timeout"};
            case INTERNAL -> new String[] {"server_error", null};
        };
    }

    @Override
    public Object body(ApiException error) {
        String[] typeAndCode = typeAndCode(error.kind());
        boolean unknownModel = error.kind() == ErrorKind.NOT_FOUND && "model".equals(error.param());
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("message", error.getMessage());
        inner.put("type", typeAndCode[0]);
        inner.put("param", error.param());
        inner.put("code", unknownModel ? "model_not_found" : typeAndCode[1]);
        return Map.of("error", inner);
    }

    @Override
    public String streamError(ApiException error) {
        return "data: " + Json.write(body(error)) + "\n\n";
    }
}
