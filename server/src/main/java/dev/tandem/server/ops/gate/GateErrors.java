package dev.tandem.server.ops.gate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.core.Dialect;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a gate refusal in the caller's dialect, with Retry-After when there is one. */
public final class GateErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GateErrors() {}

    /** Anthropic for /v1/messages and below, OpenAI for everything else. */
    public static Dialect dialectOf(String path) {
        return path.startsWith("/v1/messages") ? Dialect.ANTHROPIC : Dialect.OPENAI;
    }

    public static void write(Context ctx, GateException e) {
        // as the edge decides: /v1/models speaks Anthropic to a caller that sends anthropic-version
        Dialect dialect = ctx.path().startsWith("/v1/models") && ctx.header("anthropic-version") != null
                ? Dialect.ANTHROPIC : dialectOf(ctx.path());
        if (e.retryAfter() != null) {
            ctx.header("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
        }
        ctx.status(e.kind().status()).contentType("application/json").result(body(dialect, e));
    }

    public static String body(Dialect dialect, GateException e) {
        Map<String, Object> error = new LinkedHashMap<>();
        Map<String, Object> root = new LinkedHashMap<>();
        if (dialect == Dialect.ANTHROPIC) {
            error.put("type", anthropicType(e));
            error.put("message", e.getMessage());
            root.put("type", "error");
            root.put("error", error);
        } else {
            error.put("message", e.getMessage());
            error.put("type", e.openAiType());
            error.put("param", null);
            error.put("code", e.openAiCode());
            root.put("error", error);
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String anthropicType(GateException e) {
        return switch (e.kind()) {
            case AUTHENTICATION -> "authentication_error";
            case PERMISSION -> "permission_error";
            case RATE_LIMITED -> "rate_limit_error";
            default -> "invalid_request_error";
        };
    }
}
