package dev.tandem.server.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Upstream HTTP statuses, error bodies, error events and transport failures mapped to
 * {@link UpstreamFailure}s and {@link ApiException}s, in one place.
 */
final class UpstreamErrors {
    private static final int MAX_MESSAGE = 500;

    private UpstreamErrors() {}

    /** A non-2xx answer. The message is the upstream's own, key scrubbed. */
    static UpstreamFailure fromResponse(String upstream, int status, String body, HttpHeaders headers, KeyScrubber scrubber) {
        JsonNode error = errorNode(body);
        String type = text(error, "type");
        String code = text(error, "code");
        String message = text(error, "message");
        if (message == null) {
            message = body == null || body.isBlank() ? "HTTP " + status : body;
        }
        ErrorKind kind = kindOfStatus(status); // the status decides: OpenAI's 401 says "invalid_request_error"
        boolean spendLimit = "insufficient_quota".equals(code) || "insufficient_quota".equals(type) || "billing_error".equals(type);
        Duration retryAfter = retryAfter(headers);
        ApiException api = new ApiException(kind, describe(upstream, status, message, scrubber), null, retryAfter, null);
        return new UpstreamFailure(api, kind.retriable() && !spendLimit);
    }

    /** An error reported inside a 200 stream (Anthropic {@code event: error}, an OpenAI error chunk). */
    static UpstreamFailure fromStreamError(String upstream, JsonNode payload, KeyScrubber scrubber) {
        JsonNode error = payload.has("error") ? payload.get("error") : payload;
        String type = text(error, "type");
        String message = Optional.ofNullable(text(error, "message")).orElse("error in stream");
        ErrorKind kind = type == null ? ErrorKind.UPSTREAM : kindOfType(type).orElse(ErrorKind.UPSTREAM);
        ApiException api = new ApiException(kind, describe(upstream, null, message, scrubber), null, null, null);
        return new UpstreamFailure(api, kind.retriable());
    }

    /** Something went wrong on our side of the wire: reset, timeout, malformed reply. */
    static UpstreamFailure transport(String upstream, ErrorKind kind, String what) {
        return new UpstreamFailure(new ApiException(kind, upstream + " upstream: " + what), true);
    }

    /** A failure of the exchange itself: connect, headers timeout, a reset, or a failure the attempt already named. */
    static UpstreamFailure fromTransport(String upstream, Throwable t, Duration headersTimeout) {
        Throwable cause = unwrap(t);
        if (cause instanceof UpstreamFailure f) {
            return f;
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return transport(upstream, ErrorKind.TIMEOUT, "connect timed out");
        }
        if (cause instanceof HttpTimeoutException) {
            return transport(upstream, ErrorKind.TIMEOUT, "no response within " + headersTimeout.toMillis() + " ms");
        }
        if (cause instanceof ConnectException) {
            return transport(upstream, ErrorKind.UPSTREAM, "cannot connect");
        }
        if (cause instanceof IOException) {
            return transport(upstream, ErrorKind.UPSTREAM, "connection lost (" + cause.getClass().getSimpleName() + ")");
        }
        return transport(upstream, ErrorKind.UPSTREAM, "request failed (" + cause.getClass().getSimpleName() + ")");
    }

    /** How a whole call (all its attempts) failed, for the caller: the last attempt's failure, or what stopped it. */
    static ApiException forCaller(String upstream, Throwable error, UpstreamPolicies policies) {
        Throwable cause = unwrap(error);
        if (cause instanceof UpstreamFailure f) {
            return f.error();
        }
        ApiException refusal = policies.refusal(cause);
        if (refusal != null) {
            return refusal;
        }
        if (cause instanceof ApiException api) {
            return api;
        }
        return new ApiException(ErrorKind.UPSTREAM, upstream + " upstream: request failed (" + cause.getClass().getSimpleName() + ")");
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static ErrorKind kindOfStatus(int status) {
        return switch (status) {
            case 400, 422 -> ErrorKind.INVALID_REQUEST;
            case 401 -> ErrorKind.AUTHENTICATION;
            case 403 -> ErrorKind.PERMISSION;
            case 404 -> ErrorKind.NOT_FOUND;
            case 408, 504 -> ErrorKind.TIMEOUT;
            case 413 -> ErrorKind.REQUEST_TOO_LARGE;
            case 429 -> ErrorKind.RATE_LIMITED;
            case 529 -> ErrorKind.OVERLOADED;
            default -> status >= 500 || status == 409 ? ErrorKind.UPSTREAM : ErrorKind.INVALID_REQUEST;
        };
    }

    /** Anthropic's error type names (OpenAI's overlap for the common ones). */
    static Optional<ErrorKind> kindOfType(String type) {
        return Optional.ofNullable(switch (type) {
            case "invalid_request_error" -> ErrorKind.INVALID_REQUEST;
            case "authentication_error" -> ErrorKind.AUTHENTICATION;
            case "permission_error", "billing_error" -> ErrorKind.PERMISSION;
            case "not_found_error" -> ErrorKind.NOT_FOUND;
            case "request_too_large" -> ErrorKind.REQUEST_TOO_LARGE;
            case "rate_limit_error", "insufficient_quota" -> ErrorKind.RATE_LIMITED;
            case "overloaded_error" -> ErrorKind.OVERLOADED;
            case "timeout_error" -> ErrorKind.TIMEOUT;
            case "api_error", "server_error" -> ErrorKind.UPSTREAM;
            default -> null;
        });
    }

    /** {@code retry-after-ms} (OpenAI), else {@code retry-after} in seconds or as an HTTP date. */
    static Duration retryAfter(HttpHeaders headers) {
        if (headers == null) {
            return null;
        }
        try {
            Optional<String> ms = headers.firstValue("retry-after-ms");
            if (ms.isPresent()) {
                return Duration.ofMillis((long) Double.parseDouble(ms.get().trim()));
            }
            Optional<String> value = headers.firstValue("retry-after");
            if (value.isEmpty()) {
                return null;
            }
            String v = value.get().trim();
            if (v.matches("\\d+(\\.\\d+)?")) {
                return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
            }
            Duration until = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return until.isNegative() ? Duration.ZERO : until;
        } catch (RuntimeException unparsable) {
            return null;
        }
    }

    private static String describe(String upstream, Integer status, String message, KeyScrubber scrubber) {
        String safe = scrubber.scrub(message);
        if (safe.length() > MAX_MESSAGE) {
            safe = safe.substring(0, MAX_MESSAGE) + "…";
        }
        return upstream + " upstream" + (status == null ? "" : " (HTTP " + status + ")") + ": " + safe;
    }

    private static JsonNode errorNode(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode root = UpstreamJson.MAPPER.readTree(body);
            JsonNode error = root.get("error");
            return error != null && error.isObject() ? error : null;
        } catch (Exception notJson) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
