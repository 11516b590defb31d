package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.ErrorCode;
import dev.tandem.server.core.ErrorKind;
import java.util.LinkedHashMap;
import java.util.Map;

/** How each dialect shows a failure: the status for each kind, the error body, and the frame that ends a failed stream. */
public enum ErrorFormat {
    /** {@code {"error":{"message","type","param","code"}}}. OpenAI has no 529: overloaded is 429. */
    OPENAI {
        @Override
        public int status(ErrorKind kind) {
            return kind == ErrorKind.OVERLOADED ? 429 : kind.status();
        }

        @Override
        public Object body(ApiException error) {
            String[] typeAndCode = typeAndCode(error);
            Map<String, Object> inner = new LinkedHashMap<>();
            inner.put("message", error.getMessage());
            inner.put("type", typeAndCode[0]);
            inner.put("param", error.param());
            inner.put("code", typeAndCode[1]);
            return Map.of("error", inner);
        }

        @Override
        public String streamError(ApiException error) {
            return "data: " + Json.write(body(error)) + "\n\n";
        }

        /** The error's type and code in OpenAI's vocabulary: by its code when it has one, else by its kind. */
        private String[] typeAndCode(ApiException error) {
            ErrorCode code = error.code();
            if (code != null) {
                switch (code) {
                    case INVALID_API_KEY -> {
                        return new String[] {"invalid_request_error", "invalid_api_key"};
                    }
                    case MODEL_NOT_ALLOWED -> {
                        return new String[] {"invalid_request_error", "model_not_allowed"};
                    }
                    case RATE_LIMIT_EXCEEDED -> {
                        return new String[] {"requests", "rate_limit_exceeded"};
                    }
                    case INSUFFICIENT_QUOTA -> {
                        return new String[] {"insufficient_quota", "insufficient_quota"};
                    }
                    case CONTEXT_WINDOW -> { // OpenAI's own code, which clients (Codex) read to stop retrying
                        return new String[] {"invalid_request_error", "context_length_exceeded"};
                    }
                }
            }
            return switch (error.kind()) {
                case INVALID_REQUEST -> new String[] {"invalid_request_error", null};
                case AUTHENTICATION -> new String[] {"authentication_error", "invalid_api_key"};
                case PERMISSION -> new String[] {"permission_error", null};
                case NOT_FOUND -> new String[] {"invalid_request_error", "model".equals(error.param()) ? "model_not_found" : "not_found"};
                case REQUEST_TOO_LARGE -> new String[] {"invalid_request_error", "request_too_large"};
                case RATE_LIMITED -> new String[] {"rate_limit_error", "rate_limit_exceeded"};
                case OVERLOADED -> new String[] {"rate_limit_error", "engine_overloaded"};
                case UPSTREAM -> new String[] {"server_error", "upstream_error"};
                case TIMEOUT -> new String[] {"server_error", "timeout"};
                case INTERNAL -> new String[] {"server_error", null};
            };
        }
    },

    /** {@code {"type":"error","error":{"type","message"}}}; overloaded is 529. */
    ANTHROPIC {
        @Override
        public int status(ErrorKind kind) {
            return kind.status();
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

        private String type(ErrorKind kind) {
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
    };

    public static ErrorFormat of(Dialect dialect) {
        return dialect == Dialect.ANTHROPIC ? ANTHROPIC : OPENAI;
    }

    /** The HTTP status of {@code kind} in this dialect. */
    public abstract int status(ErrorKind kind);

    /** The JSON error object (the whole response body). */
    public abstract Object body(ApiException error);

    /** The SSE frame that ends a stream which fails after it began. */
    public abstract String streamError(ApiException error);
}
