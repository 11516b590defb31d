package dev.tandem.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.ApiException;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Checks shared by both dialects; each failure is a 400 naming the field and the allowed range. */
public final class Params {
    /** Beyond this, max_tokens is not a limit but a mistake. */
    public static final int ABSURD_MAX_TOKENS = 1 << 20;
    public static final int MAX_STOP_SEQUENCES = 16;

    private Params() {}

    public static <T> T required(T value, String field) {
        if (value == null) {
            throw ApiException.invalid(field, "'" + field + "' is required.");
        }
        return value;
    }

    public static String requiredText(String value, String field) {
        if (required(value, field).isBlank()) {
            throw ApiException.invalid(field, "'" + field + "' must not be empty.");
        }
        return value;
    }

    public static Double range(Double value, double min, double max, String field) {
        if (value != null && (value.isNaN() || value < min || value > max)) {
            throw ApiException.invalid(field, "'" + field + "' must be between " + fmt(min) + " and " + fmt(max) + ", got " + value + ".");
        }
        return value;
    }

    public static Integer range(Integer value, int min, int max, String field) {
        if (value != null && (value < min || value > max)) {
            throw ApiException.invalid(field, "'" + field + "' must be between " + min + " and " + max + ", got " + value + ".");
        }
        return value;
    }

    public static int maxTokens(Integer value, String field) {
        required(value, field);
        if (value < 1) {
            throw ApiException.invalid(field, "'" + field + "' must be at least 1, got " + value + ".");
        }
        if (value > ABSURD_MAX_TOKENS) {
            throw ApiException.invalid(field, "'" + field + "' must be at most " + ABSURD_MAX_TOKENS + ", got " + value + ".");
        }
        return value;
    }

    /** A stop field that may be absent, a string, or a list of strings. */
    public static List<String> stopSequences(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (!item.isTextual()) {
                    throw ApiException.invalid(field, "'" + field + "' must be a string or an array of strings.");
                }
                out.add(item.asText());
            }
        } else {
            throw ApiException.invalid(field, "'" + field + "' must be a string or an array of strings.");
        }
        if (out.size() > MAX_STOP_SEQUENCES) {
            throw ApiException.invalid(field, "'" + field + "' may hold at most " + MAX_STOP_SEQUENCES + " sequences.");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiException.invalid(field, "'" + field + "' must not contain empty strings.");
        }
        return out;
    }

    /** Credentials stay at the edge: the gate reads them from the HTTP request, nothing past it sees them. */
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "x-api-key", "cookie");
    /** What the gate learned about the caller's key (id, policy): only ever derived, never taken from the client. */
    private static final String KEY_HEADER_PREFIX = "x-tandem-key-";
    private static final String DERIVED = "tandem.derivedHeaders";

    /**
     * Request headers with lower-case names, for the gate and the router, credentials and client-sent
     * {@code x-tandem-key-*} left out; plus what before-handlers derived with {@link #deriveHeader}.
     */
    public static Map<String, String> headers(Context ctx) {
        Map<String, String> out = new HashMap<>();
        Enumeration<String> names = ctx.req().getHeaderNames();
        while (names.hasMoreElements()) {
            String name = names.nextElement();
            String lower = name.toLowerCase(Locale.ROOT);
            if (!SECRET_HEADERS.contains(lower) && !lower.startsWith(KEY_HEADER_PREFIX)) {
                out.putIfAbsent(lower, ctx.req().getHeader(name));
            }
        }
        Map<String, String> derived = ctx.attribute(DERIVED);
        if (derived != null) {
            out.putAll(derived);
        }
        return out;
    }

    /**
     * For before-handlers (the gate): a header that travels with the internal request, e.g. the
     * caller's key id, or a policy narrowed for that key. Replaces a client header of the same name.
     */
    public static void deriveHeader(Context ctx, String name, String value) {
        Map<String, String> derived = ctx.attribute(DERIVED);
        if (derived == null) {
            derived = new HashMap<>();
            ctx.attribute(DERIVED, derived);
        }
        derived.put(name.toLowerCase(Locale.ROOT), value);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
