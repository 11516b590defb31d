package dev.tandem.server.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tandem.server.core.ApiException;
import java.io.IOException;

/**
 * The JSON mapper of the wire: strict about types (no "5" for 5, no 1.5 for an int), lenient about
 * unknown fields, snake_case on the wire for camelCase record components (both dialects use it),
 * and turning every parse failure into a 400 that names the field.
 */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build());
        // 5 is not "5": a number or boolean where text belongs is the caller's mistake, said as such.
        MAPPER.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }

    private Json() {}

    /** Parses a request body into {@code type}, or throws a 400 that says what is wrong and where. */
    public static <T> T parse(byte[] body, Class<T> type) {
        return parse(body, MAPPER.readerFor(type));
    }

    /** As {@link #parse}, and a field {@code type} does not have is a 400 that names it, not ignored. */
    public static <T> T parseExact(byte[] body, Class<T> type) {
        return parse(body, MAPPER.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
    }

    private static <T> T parse(byte[] body, ObjectReader reader) {
        if (body.length == 0) {
            throw ApiException.invalid(null, "The request body is empty: send a JSON object.");
        }
        try {
            T value = reader.readValue(body);
            if (value == null) {
                throw ApiException.invalid(null, "The request body must be a JSON object, not null.");
            }
            return value;
        } catch (JsonMappingException e) {
            throw mappingError(e);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw ApiException.invalid(null, "The request body is not valid JSON: " + e.getOriginalMessage() + where + ".");
        } catch (IOException e) {
            throw ApiException.invalid(null, "The request body could not be read: " + e.getMessage());
        }
    }

    /** A JSON tree, already parsed, as {@code type}; a 400 that names the field when it does not fit. */
    public static <T> T convert(JsonNode tree, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (JsonMappingException e) {
            throw mappingError(e);
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "The request body could not be read: " + e.getOriginalMessage());
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    private static ApiException mappingError(JsonMappingException e) {
        String field = fieldPath(e);
        if (e.getCause() instanceof ApiException api) {
            return api;
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return ApiException.invalid(field, "'" + field + "' is not a field of this request; the fields are "
                    + unknown.getKnownPropertyIds() + ".");
        }
        if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            if (field.isEmpty()) {
                return ApiException.invalid(null, "The request body must be a JSON object.");
            }
            return ApiException.invalid(field, "'" + field + "' must be " + describe(mismatch.getTargetType()) + ".");
        }
        String detail = e.getOriginalMessage();
        int cut = detail.indexOf('\n');
        detail = cut > 0 ? detail.substring(0, cut) : detail;
        return ApiException.invalid(field.isEmpty() ? null : field,
                (field.isEmpty() ? "Invalid request body" : "Invalid value for '" + field + "'") + ": " + detail);
    }

    /** "messages[0].content" from Jackson's path. */
    static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.List.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
