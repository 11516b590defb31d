package dev.tandem.server.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.core.ErrorKind;

/** Small JSON helpers shared by the two wire formats. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

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
