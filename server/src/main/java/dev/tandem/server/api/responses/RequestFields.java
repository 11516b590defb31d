package dev.tandem.server.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.core.ApiException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The one rule for the top-level fields of {@code POST /v1/responses}: every field Tandem knows, and
 * what it does with it. A field not listed is refused by name, as OpenAI refuses it ("Unknown
 * parameter"); a listed field Tandem cannot honour is refused by name unless its value asks for
 * nothing (false, null, empty, the default). The fields accepted without effect are those the clients
 * send on every request (Codex, the AI SDK, LangChain, the SDKs' defaults) and that change nothing
 * Tandem could do: cache hints, identifiers, a service tier, hosted-tool limits, reasoning settings for
 * models that do not reason.
 */
final class RequestFields {

    /** What Tandem does with a field. */
    enum Treatment {
        /** Read and acted on. */
        HONOURED,
        /** Accepted, type-checked and echoed where the response has it, without effect; {@code why} says why that is harmless. */
        NO_EFFECT,
        /** Refused by name unless the value asks for nothing. */
        REFUSED
    }

    /** A field, its treatment, why, and (refused ones) which values ask for nothing. */
    record Field(String name, Treatment treatment, String why, Predicate<JsonNode> asksNothing) {}

    static final Map<String, Field> FIELDS = table(
            honoured("model"),
            honoured("input"),
            honoured("instructions"),
            honoured("tools"),
            honoured("tool_choice"),
            honoured("parallel_tool_calls"),
            honoured("text"),
            honoured("max_output_tokens"),
            honoured("temperature"),
            honoured("top_p"),
            honoured("stream"),
            honoured("stream_options"),
            honoured("store"),
            honoured("previous_response_id"),
            honoured("metadata"),
            honoured("user"),
            honoured("include"),
            noEffect("reasoning", "a model without reasoning returns no reasoning items; the settings are echoed"),
            noEffect("max_tool_calls", "limits calls of hosted tools, and Tandem runs none"),
            noEffect("prompt_cache_key", "a cache hint; Tandem's prefix cache needs none"),
            noEffect("prompt_cache_retention", "a cache hint; Tandem's prefix cache needs none"),
            noEffect("prompt_cache_options", "a cache hint; Tandem's prefix cache needs none"),
            noEffect("safety_identifier", "an end-user id for OpenAI's abuse checks"),
            noEffect("service_tier", "OpenAI's processing tiers; Tandem has one"),
            noEffect("client_metadata", "Codex's trace context"),
            refused("truncation", "only 'disabled' is served: a prompt that does not fit is refused, never cut",
                    v -> v.isNull() || "disabled".equals(v.asText())),
            refused("background", "background responses are not served", v -> v.isNull() || (v.isBoolean() && !v.asBoolean())),
            refused("top_logprobs", "log probabilities are not served on this endpoint", v -> v.isNull() || (v.isInt() && v.asInt() == 0)),
            refused("conversation", "the Conversations API is not served; use previous_response_id", JsonNode::isNull),
            refused("prompt", "stored prompt templates are not served", JsonNode::isNull),
            refused("context_management", "server-side compaction is not served", v -> v.isNull() || (v.isArray() && v.isEmpty())),
            refused("moderation", "moderation is not served", JsonNode::isNull));

    private RequestFields() {}

    /** Refuses, by name, the first field the request may not have. */
    static void check(ObjectNode body) {
        for (Map.Entry<String, JsonNode> e : body.properties()) {
            Field field = FIELDS.get(e.getKey());
            if (field == null) {
                throw ApiException.invalid(e.getKey(), "Unknown parameter: '" + e.getKey() + "'.");
            }
            if (field.treatment() == Treatment.REFUSED && !field.asksNothing().test(e.getValue())) {
                throw ApiException.invalid(e.getKey(), "'" + e.getKey() + "' is not supported by this server: " + field.why() + ".");
            }
        }
    }

    private static Field honoured(String name) {
        return new Field(name, Treatment.HONOURED, null, v -> true);
    }

    private static Field noEffect(String name, String why) {
        return new Field(name, Treatment.NO_EFFECT, why, v -> true);
    }

    private static Field refused(String name, String why, Predicate<JsonNode> asksNothing) {
        return new Field(name, Treatment.REFUSED, why, asksNothing);
    }

    private static Map<String, Field> table(Field... fields) {
        Map<String, Field> out = new LinkedHashMap<>();
        for (Field f : fields) {
            out.put(f.name(), f);
        }
        return Map.copyOf(out);
    }
}
