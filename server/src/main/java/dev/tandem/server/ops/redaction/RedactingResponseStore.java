package dev.tandem.server.ops.redaction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.core.StoredResponse;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Wraps the response store: secrets are masked in everything stored, as in a prompt bound for a
 * remote. What is stored outlives the request and, once the store is shared by several replicas,
 * leaves the machine; so a continued conversation ({@code previous_response_id}, {@code item_reference})
 * sees {@code [REDACTED:type]} where a secret was, and a client that needs it sends it again inline.
 * Ids ({@code id} and every {@code *_id} field) are left as they are: they join items to each other.
 */
public final class RedactingResponseStore implements ResponseStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResponseStore inner;
    private final Redactor redactor;

    public RedactingResponseStore(ResponseStore inner, Redactor redactor) {
        this.inner = inner;
        this.redactor = redactor;
    }

    @Override
    public void put(StoredResponse r) {
        inner.put(new StoredResponse(r.id(), r.owner(), redactJson(r.response()), redact(r.input()), redact(r.output())));
    }

    private List<StoredResponse.Item> redact(List<StoredResponse.Item> items) {
        return items.stream().map(i -> new StoredResponse.Item(i.id(), redactJson(i.json()))).toList();
    }

    /** Every text value of the document masked, ids kept. */
    String redactJson(String json) {
        try {
            JsonNode tree = JSON.readTree(json);
            return JSON.writeValueAsString(redactNode(tree));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("a stored document is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private JsonNode redactNode(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!isId(field.getKey())) {
                    field.setValue(redactNode(field.getValue()));
                }
            }
            return object;
        }
        if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, redactNode(array.get(i)));
            }
            return array;
        }
        return node.isTextual() ? new TextNode(redactor.redact(node.asText())) : node;
    }

    private static boolean isId(String key) {
        return key.equals("id") || key.endsWith("_id");
    }

    @Override
    public Optional<StoredResponse> get(String owner, String id) {
        return inner.get(owner, id);
    }

    @Override
    public Optional<StoredResponse.Item> item(String owner, String itemId) {
        return inner.item(owner, itemId);
    }

    @Override
    public boolean delete(String owner, String id) {
        return inner.delete(owner, id);
    }

    @Override
    public void close() {
        inner.close();
    }
}
