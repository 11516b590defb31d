package dev.tandem.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Content;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

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

    /**
     * A message's content in either dialect: a string (one text), or an array of typed items, each
     * read by {@code item} given its field name ({@code itemField} of its index; null for an item that has no
     * meaning past the edge, left out); anything else is a 400.
     */
    public static List<Content> content(JsonNode content, String field, IntFunction<String> itemField, String arrayOf,
            BiFunction<JsonNode, String, Content> item) {
        if (content == null || content.isNull()) {
            throw ApiException.invalid(field, "'" + field + "' is required.");
        }
        if (content.isTextual()) {
            return List.of(new Content.Text(content.asText()));
        }
        if (!content.isArray()) {
            throw ApiException.invalid(field, "'" + field + "' must be a string or an array of " + arrayOf + ".");
        }
        List<Content> out = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            Content c = item.apply(content.get(i), itemField.apply(i));
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** A {@code {"type":"text","text":...}} item of a content array. */
    public static Content.Text textItem(JsonNode item, String itemField) {
        if (!item.path("text").isTextual()) {
            throw ApiException.invalid(itemField + ".text", "'" + itemField + ".text' must be a string.");
        }
        return new Content.Text(item.get("text").asText());
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

    /**
     * OpenAI's {@code logit_bias}: an object of token ids (as keys) to biases in [-100, 100]; empty when
     * absent. Whether the ids are in the vocabulary is the serving model's to say.
     */
    public static Map<Integer, Double> logitBias(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.invalid(field, "'" + field + "' must be an object of token ids to biases.");
        }
        Map<Integer, Double> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException notAnId) {
                throw ApiException.invalid(field, "'" + field + "' keys must be token ids; got '" + e.getKey() + "'.");
            }
            if (id < 0 || !e.getValue().isNumber() || e.getValue().asDouble() < -100 || e.getValue().asDouble() > 100) {
                throw ApiException.invalid(field, "'" + field + "' maps token ids (>= 0) to biases between -100 and 100; got '"
                        + e.getKey() + "': " + e.getValue() + ".");
            }
            out.put(id, e.getValue().asDouble());
        }
        return out;
    }

    /** A list of token ids (vLLM's {@code stop_token_ids}); empty when absent. */
    public static List<Integer> tokenIds(List<Integer> ids, String field) {
        if (ids == null) {
            return List.of();
        }
        for (Integer id : ids) {
            if (id == null || id < 0) {
                throw ApiException.invalid(field, "'" + field + "' must hold token ids (integers >= 0).");
            }
        }
        return ids;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
