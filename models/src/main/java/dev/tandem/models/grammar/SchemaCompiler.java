package dev.tandem.models.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a JSON schema into a {@link Spec}. Supported: {@code type} (one or a list), {@code properties},
 * {@code required}, {@code additionalProperties} (false, true or a schema), {@code items}, {@code
 * prefixItems} (and draft-07 tuple {@code items} with {@code additionalItems}), {@code minItems}, {@code
 * maxItems}, {@code enum}, {@code const}, {@code anyOf}, {@code oneOf} (as anyOf: branches that overlap
 * may both match), {@code allOf} (merged), {@code $ref} to the same document ({@code #/$defs/…}, {@code
 * #/definitions/…}; not recursive), {@code minLength}, {@code maxLength}, {@code pattern} (see {@link
 * Patterns}; not with minLength), {@code format} of strings for {@code date}, {@code time}, {@code
 * date-time}, {@code uuid}, {@code ipv4} and {@code email} (others refused; on other types formats are
 * annotations, as validators take them), {@code uniqueItems: false}. Annotations ({@code title}, {@code description}, {@code default}, {@code
 * examples}, …) and unknown keywords are ignored, as validators ignore them; so is {@code nullable}
 * (it only widens).
 *
 * <p>Choices that narrow (every output still validates): properties come in the schema's order;
 * {@code additionalProperties} left out means none when {@code properties} are given (any otherwise);
 * values of unconstrained type ({@code {}}, {@code true}) nest at most {@link #MAX_ANY_DEPTH} deep.
 */
final class SchemaCompiler {
    /** How deep values of unconstrained type ("any JSON") may nest. */
    static final int MAX_ANY_DEPTH = 6;

    private static final Set<String> ASSERTIONS_NOT_ENFORCED = Set.of(
            "not", "if", "then", "else", "dependentRequired", "dependentSchemas", "dependencies", "patternProperties",
            "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contains", "minContains", "maxContains",
            "minProperties", "maxProperties", "multipleOf", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
            "$dynamicRef", "$recursiveRef");
    private static final List<String> TYPES = List.of("object", "array", "string", "number", "integer", "boolean", "null");

    private final JsonNode document;
    private final SchemaMode mode;
    private final List<String> ignored = new ArrayList<>();
    private final Deque<String> expanding = new ArrayDeque<>();
    private final Spec[] any = new Spec[MAX_ANY_DEPTH + 1];

    private SchemaCompiler(JsonNode document, SchemaMode mode) {
        this.document = document;
        this.mode = mode;
    }

    /** The spec of {@code schema}; {@code ignored} receives the keywords left out (BEST_EFFORT). */
    static Spec compile(JsonNode schema, SchemaMode mode, List<String> ignored) {
        SchemaCompiler compiler = new SchemaCompiler(schema, mode);
        Spec spec = compiler.compile(schema, "", 0);
        if (spec.shortest() >= Lengths.INFINITE) {
            throw new InvalidSchemaException("", "no finite value satisfies it");
        }
        ignored.addAll(compiler.ignored);
        return spec;
    }

    /** Any JSON value nested at most {@code MAX_ANY_DEPTH - depth} deep. */
    Spec any(int depth) {
        if (any[depth] == null) {
            List<Spec> kinds = new ArrayList<>();
            if (depth < MAX_ANY_DEPTH) {
                kinds.add(new ObjectSpec(List.of(), any(depth + 1)));
                kinds.add(new ArraySpec(List.of(), any(depth + 1), 0, -1));
            }
            kinds.add(StringSpec.any());
            kinds.add(new NumberSpec(false));
            kinds.add(LiteralSpec.of("true", "false", "null"));
            any[depth] = AnyOfSpec.of(kinds);
        }
        return any[depth];
    }

    /** Any JSON object (json_object mode). */
    static Spec anyObject() {
        return new ObjectSpec(List.of(), new SchemaCompiler(null, SchemaMode.STRICT).any(1));
    }

    private Spec compile(JsonNode schema, String path, int depth) {
        if (schema.isBoolean()) {
            if (!schema.booleanValue()) {
                throw new InvalidSchemaException(path, "the schema 'false' allows no value");
            }
            return any(0);
        }
        if (!schema.isObject()) {
            throw new InvalidSchemaException(path, "a schema must be an object or a boolean");
        }
        ObjectNode node = (ObjectNode) schema;
        if (node.has("$ref")) {
            return compileRef(node, path, depth);
        }
        if (node.has("allOf")) {
            node = mergeAllOf(node, path);
        }
        checkKeywords(node, path);
        if (node.has("anyOf") || node.has("oneOf")) {
            return compileAnyOf(node, path, depth);
        }
        if (node.has("const") || node.has("enum")) {
            return compileLiteral(node, path);
        }
        List<String> types = types(node, path);
        List<Spec> alternatives = new ArrayList<>();
        for (String type : types) {
            switch (type) {
                case "object" -> alternatives.add(compileObject(node, path, depth));
                case "array" -> alternatives.add(compileArray(node, path, depth));
                case "string" -> alternatives.add(compileString(node, path));
                case "number" -> alternatives.add(new NumberSpec(false));
                case "integer" -> {
                    if (!types.contains("number")) {
                        alternatives.add(new NumberSpec(true));
                    }
                }
                case "boolean" -> alternatives.add(LiteralSpec.of("true", "false"));
                default -> alternatives.add(LiteralSpec.of("null"));
            }
        }
        return AnyOfSpec.of(alternatives);
    }

    private void checkKeywords(ObjectNode node, String path) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String keyword = it.next();
            boolean refused = ASSERTIONS_NOT_ENFORCED.contains(keyword)
                    || (keyword.equals("uniqueItems") && node.get(keyword).asBoolean(false));
            if (refused) {
                unsupported(keyword, path + "/" + keyword, null);
            }
        }
    }

    private void unsupported(String keyword, String path, String detail) {
        if (mode == SchemaMode.STRICT) {
            throw new UnsupportedSchemaException(keyword, path.substring(0, path.length() - keyword.length() - 1), detail);
        }
        ignored.add(path);
    }

    private List<String> types(ObjectNode node, String path) {
        JsonNode type = node.get("type");
        if (type == null) {
            // no type: what the other keywords speak of, or any value
            if (node.has("properties") || node.has("additionalProperties") || node.has("required")) {
                return List.of("object");
            }
            if (node.has("items") || node.has("prefixItems") || node.has("minItems") || node.has("maxItems")) {
                return List.of("array");
            }
            if (node.has("minLength") || node.has("maxLength") || node.has("pattern")) {
                return List.of("string");
            }
            return TYPES;
        }
        List<String> types = new ArrayList<>();
        if (type.isTextual()) {
            types.add(type.asText());
        } else if (type.isArray() && !type.isEmpty()) {
            type.forEach(t -> types.add(t.asText()));
        } else {
            throw new InvalidSchemaException(path + "/type", "'type' must be a type name or a non-empty list of them");
        }
        for (String t : types) {
            if (!TYPES.contains(t)) {
                throw new InvalidSchemaException(path + "/type", "unknown type '" + t + "'");
            }
        }
        return types;
    }

    private Spec compileRef(ObjectNode node, String path, int depth) {
        String ref = node.get("$ref").asText("");
        if (!ref.startsWith("#")) {
            throw new UnsupportedSchemaException("$ref", path, "only references within the schema ('#/$defs/…') are supported, not '" + ref + "'");
        }
        if (expanding.contains(ref)) {
            throw new UnsupportedSchemaException("$ref", path, "recursive reference '" + ref + "'");
        }
        JsonNode target = document.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw new InvalidSchemaException(path + "/$ref", "'" + ref + "' points at nothing");
        }
        ObjectNode siblings = node.deepCopy();
        siblings.remove("$ref");
        JsonNode resolved = target;
        if (hasAssertions(siblings)) {
            if (!target.isObject()) {
                throw new InvalidSchemaException(path + "/$ref", "'" + ref + "' is not a schema object");
            }
            resolved = merge((ObjectNode) target, siblings);
        }
        expanding.push(ref);
        try {
            return compile(resolved, path, depth);
        } finally {
            expanding.pop();
        }
    }

    private static boolean hasAssertions(ObjectNode node) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("title", "description", "default", "examples", "$comment", "deprecated", "readOnly", "writeOnly",
                    "$defs", "definitions").contains(k)) {
                return true;
            }
        }
        return false;
    }

    private ObjectNode mergeAllOf(ObjectNode node, String path) {
        JsonNode all = node.get("allOf");
        if (!all.isArray() || all.isEmpty()) {
            throw new InvalidSchemaException(path + "/allOf", "'allOf' must be a non-empty list of schemas");
        }
        ObjectNode merged = node.deepCopy();
        merged.remove("allOf");
        for (int i = 0; i < all.size(); i++) {
            JsonNode part = resolve(all.get(i), path + "/allOf/" + i);
            merged = merge(merged, (ObjectNode) part);
        }
        return merged;
    }

    /** A schema with a reference at its top replaced by what it points at (for merging). */
    private JsonNode resolve(JsonNode schema, String path) {
        JsonNode s = schema;
        for (int hops = 0; s.isObject() && s.has("$ref"); hops++) {
            String ref = s.get("$ref").asText("");
            if (!ref.startsWith("#") || hops > 16) {
                throw new UnsupportedSchemaException("$ref", path, "cannot merge reference '" + ref + "'");
            }
            ObjectNode siblings = ((ObjectNode) s).deepCopy();
            siblings.remove("$ref");
            JsonNode target = document.at(ref.substring(1));
            if (!target.isObject()) {
                throw new InvalidSchemaException(path + "/$ref", "'" + ref + "' is not a schema object");
            }
            s = merge((ObjectNode) target, siblings);
        }
        if (s.isBoolean() && s.booleanValue()) {
            return Json.MAPPER.createObjectNode();
        }
        if (!s.isObject()) {
            throw new InvalidSchemaException(path, "a schema must be an object");
        }
        return s;
    }

    /**
     * {@code base} and {@code extra} as one schema: properties merged, required lists joined, the
     * rest from {@code extra} where both have it.
     */
    private static ObjectNode merge(ObjectNode base, ObjectNode extra) {
        ObjectNode out = base.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode mine = out.get(e.getKey());
            if (e.getKey().equals("properties") && mine != null && mine.isObject() && e.getValue().isObject()) {
                ObjectNode props = ((ObjectNode) mine).deepCopy();
                props.setAll((ObjectNode) e.getValue());
                out.set("properties", props);
            } else if (e.getKey().equals("required") && mine != null && mine.isArray() && e.getValue().isArray()) {
                Set<String> names = new LinkedHashSet<>();
                mine.forEach(n -> names.add(n.asText()));
                e.getValue().forEach(n -> names.add(n.asText()));
                ArrayNode required = out.putArray("required");
                names.forEach(required::add);
            } else {
                out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return out;
    }

    private Spec compileAnyOf(ObjectNode node, String path, int depth) {
        if (node.has("anyOf") && node.has("oneOf")) {
            throw new UnsupportedSchemaException("oneOf", path, "'anyOf' and 'oneOf' in one schema");
        }
        String keyword = node.has("anyOf") ? "anyOf" : "oneOf";
        JsonNode branches = node.get(keyword);
        if (!branches.isArray() || branches.isEmpty()) {
            throw new InvalidSchemaException(path + "/" + keyword, "'" + keyword + "' must be a non-empty list of schemas");
        }
        ObjectNode base = node.deepCopy();
        base.remove(keyword);
        boolean plain = !hasAssertions(base);
        List<Spec> alternatives = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            String at = path + "/" + keyword + "/" + i;
            JsonNode branch = plain ? branches.get(i) : merge(base, (ObjectNode) resolve(branches.get(i), at));
            alternatives.add(compile(branch, at, depth));
        }
        return AnyOfSpec.of(alternatives);
    }

    private Spec compileLiteral(ObjectNode node, String path) {
        List<JsonNode> values = new ArrayList<>();
        if (node.has("const")) {
            values.add(node.get("const"));
        } else {
            JsonNode e = node.get("enum");
            if (!e.isArray() || e.isEmpty()) {
                throw new InvalidSchemaException(path + "/enum", "'enum' must be a non-empty list");
            }
            e.forEach(values::add);
        }
        if (node.has("type")) {
            List<String> types = types(node, path);
            values.removeIf(v -> !types.contains(typeOf(v)) && !(typeOf(v).equals("integer") && types.contains("number")));
            if (values.isEmpty()) {
                throw new InvalidSchemaException(path, "no value of 'enum'/'const' has the schema's type");
            }
        }
        List<byte[]> literals = new ArrayList<>();
        for (JsonNode v : values) {
            literals.add(Json.write(v).getBytes(StandardCharsets.UTF_8));
        }
        return LiteralSpec.of(literals, "enum");
    }

    private static String typeOf(JsonNode v) {
        if (v.isIntegralNumber()) {
            return "integer";
        }
        return switch (v.getNodeType()) {
            case OBJECT -> "object";
            case ARRAY -> "array";
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            default -> "null";
        };
    }

    private Spec compileObject(ObjectNode node, String path, int depth) {
        JsonNode props = node.path("properties");
        if (!props.isMissingNode() && !props.isObject()) {
            throw new InvalidSchemaException(path + "/properties", "'properties' must be an object");
        }
        Set<String> required = new LinkedHashSet<>();
        JsonNode req = node.path("required");
        if (!req.isMissingNode()) {
            if (!req.isArray()) {
                throw new InvalidSchemaException(path + "/required", "'required' must be a list of names");
            }
            req.forEach(r -> required.add(r.asText()));
        }
        Spec additional;
        JsonNode extra = node.get("additionalProperties");
        if (extra == null) {
            additional = props.isMissingNode() || props.isEmpty() ? any(depth + 1) : null;
        } else if (extra.isBoolean()) {
            additional = extra.booleanValue() ? any(depth + 1) : null;
        } else {
            additional = compile(extra, path + "/additionalProperties", depth + 1);
        }
        List<ObjectSpec.Property> properties = new ArrayList<>();
        if (props.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                Spec value = compile(p.getValue(), path + "/properties/" + escape(p.getKey()), depth + 1);
                properties.add(new ObjectSpec.Property(p.getKey(), value, required.contains(p.getKey())));
            }
        }
        for (String name : required) {
            if (properties.stream().noneMatch(p -> p.name().equals(name))) {
                if (additional == null) {
                    throw new InvalidSchemaException(path + "/required", "required property '" + name
                            + "' is not in 'properties' and no additional properties are allowed");
                }
                properties.add(new ObjectSpec.Property(name, additional, true));
            }
        }
        return new ObjectSpec(properties, additional);
    }

    private Spec compileArray(ObjectNode node, String path, int depth) {
        List<Spec> prefix = new ArrayList<>();
        Spec items;
        JsonNode prefixItems = node.get("prefixItems");
        JsonNode itemsNode = node.get("items");
        JsonNode tuple = prefixItems != null ? prefixItems : itemsNode != null && itemsNode.isArray() ? itemsNode : null;
        String tupleKeyword = prefixItems != null ? "prefixItems" : "items";
        if (tuple != null) {
            if (!tuple.isArray()) {
                throw new InvalidSchemaException(path + "/prefixItems", "'prefixItems' must be a list of schemas");
            }
            for (int i = 0; i < tuple.size(); i++) {
                prefix.add(compile(tuple.get(i), path + "/" + tupleKeyword + "/" + i, depth + 1));
            }
        }
        JsonNode rest = prefixItems != null ? itemsNode : tuple != null ? node.get("additionalItems") : itemsNode;
        String restKeyword = prefixItems != null || tuple == null ? "items" : "additionalItems";
        if (rest == null) {
            items = any(depth + 1);
        } else if (rest.isBoolean()) {
            items = rest.booleanValue() ? any(depth + 1) : null;
        } else {
            items = compile(rest, path + "/" + restKeyword, depth + 1);
        }
        int min = count(node, "minItems", path, 0);
        int max = count(node, "maxItems", path, -1);
        if (max >= 0 && min > max) {
            throw new InvalidSchemaException(path, "minItems " + min + " is more than maxItems " + max);
        }
        if (items == null && min > prefix.size()) {
            throw new InvalidSchemaException(path, "minItems " + min + " is more than the " + prefix.size() + " items allowed");
        }
        return new ArraySpec(prefix, items, min, max);
    }

    private Spec compileString(ObjectNode node, String path) {
        int min = count(node, "minLength", path, 0);
        int max = count(node, "maxLength", path, -1);
        if (max >= 0 && min > max) {
            throw new InvalidSchemaException(path, "minLength " + min + " is more than maxLength " + max);
        }
        CharPattern pattern = null;
        if (node.has("pattern")) {
            pattern = Patterns.compile(node.get("pattern").asText(), path + "/pattern");
            if (pattern == null) {
                unsupported("pattern", path + "/pattern", "'" + node.get("pattern").asText() + "' uses a construct that is not supported");
            }
        }
        if (node.has("format")) {
            String format = node.get("format").asText();
            String regex = Patterns.FORMATS.get(format);
            if (regex == null) {
                unsupported("format", path + "/format", "format '" + format + "' (supported: " + new java.util.TreeSet<>(Patterns.FORMATS.keySet()) + ")");
            } else if (pattern != null) {
                throw new UnsupportedSchemaException("format", path, "'format' together with 'pattern'");
            } else {
                pattern = Patterns.compile(regex, path + "/format");
            }
        }
        if (pattern != null && min > 0) {
            // lengths through a pattern are bounded above only
            throw new UnsupportedSchemaException("minLength", path, "'minLength' together with 'pattern' or 'format'");
        }
        return new StringSpec(min, max, pattern);
    }

    private static int count(ObjectNode node, String keyword, String path, int absent) {
        JsonNode v = node.get(keyword);
        if (v == null) {
            return absent;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 0) {
            throw new InvalidSchemaException(path + "/" + keyword, "'" + keyword + "' must be a non-negative integer");
        }
        return v.intValue();
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
