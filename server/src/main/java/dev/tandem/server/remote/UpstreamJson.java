package dev.tandem.server.remote;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.core.ErrorKind;
import java.util.Map;

/**
 * JSON as the upstreams speak it: their replies read leniently as trees (a field added upstream must
 * not break a reply), the request bodies written from typed wire records in snake_case, without the
 * fields a request leaves unset.
 */
final class UpstreamJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper BODIES = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private UpstreamJson() {}

    /** A request body (a wire record) as JSON text. */
    static String write(Object body) {
        try {
            return BODIES.writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write the upstream request " + body.getClass().getSimpleName(), e);
        }
    }

    /**
     * A request body (a wire record) with the caller's passthrough fields ({@code extra}: name to JSON
     * text) added after its own; a field the record sets itself is never replaced.
     */
    static ObjectNode withFields(Object body, Map<String, String> extra) {
        ObjectNode tree = BODIES.valueToTree(body);
        extra.forEach((name, json) -> {
            if (!tree.has(name)) {
                tree.set(name, parse("passthrough", json));
            }
        });
        return tree;
    }

    /** An upstream's JSON; unreadable JSON is an upstream failure (retriable before the commit point). */
    static JsonNode parse(String upstream, String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception malformed) {
            throw UpstreamErrors.transport(upstream, ErrorKind.UPSTREAM, "malformed JSON in reply");
        }
    }

    /** A JSON object given as text (tool arguments, schemas); anything else becomes {@code {}}. */
    static ObjectNode object(String text) {
        try {
            JsonNode node = text == null || text.isBlank() ? null : MAPPER.readTree(text);
            return node instanceof ObjectNode o ? o : MAPPER.createObjectNode();
        } catch (Exception notJson) {
            return MAPPER.createObjectNode();
        }
    }

    /** A {@code data:<media type>;base64,<data>} URL taken apart. */
    record DataUrl(String mediaType, String data) {
        static DataUrl parse(String url) {
            if (url == null || !url.startsWith("data:")) {
                return null;
            }
            int comma = url.indexOf(',');
            int semi = url.indexOf(";base64");
            if (comma < 0 || semi < 0 || semi > comma) {
                return null;
            }
            return new DataUrl(url.substring(5, semi), url.substring(comma + 1));
        }

        String url() {
            return "data:" + mediaType + ";base64," + data;
        }
    }
}
