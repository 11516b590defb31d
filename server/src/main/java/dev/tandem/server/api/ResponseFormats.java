package dev.tandem.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ResponseFormat;
import java.util.regex.Pattern;

/**
 * The one reading of OpenAI's structured-output formats ({@code text}, {@code json_object},
 * {@code json_schema} with its name, description, schema and strict flag), in the two shapes OpenAI
 * gives them: Chat Completions nests the schema's members under {@code json_schema}; Responses puts
 * them beside {@code type}.
 */
public final class ResponseFormats {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");

    private ResponseFormats() {}

    /** Chat Completions' {@code response_format}; a schema's name may be left out (a default is used). */
    public static ResponseFormat chat(JsonNode format) {
        return read(format, "response_format", "response_format.json_schema", format == null ? null : format.path("json_schema"), false);
    }

    /** Responses' {@code text.format}; a schema's name is required, as OpenAI requires it. */
    public static ResponseFormat responses(JsonNode format) {
        return read(format, "text.format", "text.format", format, true);
    }

    private static ResponseFormat read(JsonNode format, String at, String membersAt, JsonNode members, boolean nameRequired) {
        if (format == null || format.isMissingNode() || format.isNull()) {
            return ResponseFormat.TEXT;
        }
        String type = format.path("type").asText("");
        return switch (type) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> new ResponseFormat.JsonObject();
            case "json_schema" -> jsonSchema(members, membersAt, nameRequired);
            default -> throw ApiException.invalid(at + ".type",
                    "'" + at + ".type' must be 'text', 'json_object' or 'json_schema'; got '" + type + "'.");
        };
    }

    /** A schema object, an optional description and strict flag (false unless true), a name as OpenAI allows it. */
    private static ResponseFormat.JsonSchema jsonSchema(JsonNode members, String at, boolean nameRequired) {
        JsonNode name = members.path("name");
        if (nameRequired && (!name.isTextual() || !NAME.matcher(name.asText()).matches())) {
            throw ApiException.invalid(at + ".name",
                    "'" + at + ".name' must be 1 to 64 letters, digits, '_' or '-'; got " + (name.isMissingNode() ? "none" : name) + ".");
        }
        if (!members.path("schema").isObject()) {
            throw ApiException.invalid(at + ".schema", "'" + at + ".schema' must be a JSON schema object.");
        }
        JsonNode strict = members.path("strict");
        if (!strict.isMissingNode() && !strict.isNull() && !strict.isBoolean()) {
            throw ApiException.invalid(at + ".strict", "'" + at + ".strict' must be a boolean.");
        }
        JsonNode description = members.path("description");
        return new ResponseFormat.JsonSchema(name.asText(ResponseFormat.JsonSchema.DEFAULT_NAME),
                description.isTextual() ? description.asText() : null, Json.write(members.get("schema")), strict.asBoolean(false));
    }
}
