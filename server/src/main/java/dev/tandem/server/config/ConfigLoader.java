package dev.tandem.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.server.ops.cache.RedisSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the configuration: the built-in defaults ({@code tandem-defaults.yaml}, the one place every
 * default is written), the user's file merged over them, command-line overrides over that, then
 * {@code ${ENV}} / {@code ${ENV:-default}} substituted in every string value. A section's record
 * refuses a bad value with a message naming the key; that becomes a {@link ConfigException}.
 */
public final class ConfigLoader {
    private static final String DEFAULTS = "/tandem-defaults.yaml";
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    /** A name whose last word says secret ({@code apiKey}, {@code clientSecret}, {@code password}); not {@code maxTokensField}. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?:.*[^A-Za-z])?(?i:key|secret|token|password|credentials?)"
            + "|.*[a-z0-9](?:Key|Secret|Token|Password|Credentials?)");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ConfigLoader() {}

    /**
     * @param file the user's YAML file, or null for the defaults alone
     * @param overrides dotted keys ("server.port") set after the file is read
     */
    public static TandemConfig load(Path file, Map<String, String> env, Map<String, String> overrides) {
        ObjectNode tree = defaults();
        if (file != null) {
            merge(tree, readFile(file));
        }
        overrides.forEach((key, value) -> set(tree, key, value));
        substitute(tree, env);
        return bind(tree);
    }

    public static TandemConfig defaultsOnly() {
        return load(null, Map.of(), Map.of());
    }

    /** The configuration as YAML with every secret-looking string value masked, for the start-up log. */
    public static String describeMasked(Object config) {
        JsonNode tree = YAML.valueToTree(config);
        mask(tree);
        try {
            return YAML.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULTS, e);
        }
    }

    private static JsonNode readFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("configuration file " + file + " does not exist");
        }
        try {
            JsonNode node = YAML.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return YAML.createObjectNode();
            }
            if (!node.isObject()) {
                throw new ConfigException("configuration file " + file + " must hold a YAML mapping");
            }
            return node;
        } catch (IOException e) {
            throw new ConfigException("configuration file " + file + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /** Key by key; a section or sub-section set to nothing ({@code cache:}) keeps its defaults. */
    private static void merge(ObjectNode base, JsonNode over) {
        over.fields().forEachRemaining(entry -> {
            JsonNode current = base.get(entry.getKey());
            if (current instanceof ObjectNode currentObject && entry.getValue().isObject()) {
                merge(currentObject, entry.getValue());
            } else if (!(current instanceof ObjectNode && entry.getValue().isNull())) {
                base.set(entry.getKey(), entry.getValue());
            }
        });
    }

    private static void set(ObjectNode root, String dottedKey, String value) {
        String[] parts = dottedKey.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.with(parts[i]);
        }
        node.put(parts[parts.length - 1], value);
    }

    private static void substitute(JsonNode node, Map<String, String> env) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isTextual()) {
                    field.setValue(new TextNode(expand(field.getValue().asText(), env)));
                } else {
                    substitute(field.getValue(), env);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                if (item.isTextual()) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i, new TextNode(expand(item.asText(), env)));
                } else {
                    substitute(item, env);
                }
            }
        }
    }

    /** Replaces ${NAME} (empty when unset) and ${NAME:-default} (default when unset or empty). */
    static String expand(String text, Map<String, String> env) {
        Matcher m = ENV_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if ((value == null || value.isEmpty()) && m.group(2) != null) {
                value = m.group(2);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static TandemConfig bind(JsonNode tree) {
        try {
            return YAML.treeToValue(tree, TandemConfig.class);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof IllegalArgumentException refused) {
                String at = path(e);
                throw new ConfigException("invalid configuration" + (at.isEmpty() ? "" : " at " + at) + ": " + refused.getMessage(), e);
            }
            throw new ConfigException("invalid configuration: " + e.getOriginalMessage(), e);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("unknown configuration key '" + e.getPropertyName() + "' at " + path(e), e);
        } catch (IOException e) {
            throw new ConfigException("invalid configuration at " + path(e) + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private static String path(IOException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException jme) {
            StringBuilder sb = new StringBuilder();
            for (var ref : jme.getPath()) {
                if (ref.getFieldName() != null) {
                    sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
                }
            }
            return sb.toString();
        }
        return "?";
    }

    private static void mask(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                JsonNode value = field.getValue();
                if (value.isTextual() && !value.asText().isEmpty() && SECRET_NAME.matcher(field.getKey()).matches()) {
                    field.setValue(new TextNode("****"));
                } else if (value.isTextual() && value.asText().contains("://")) {
                    field.setValue(new TextNode(RedisSettings.masked(value.asText()))); // a password in a URL's user part
                } else {
                    mask(value);
                }
            }
        } else if (node.isArray()) {
            node.forEach(ConfigLoader::mask);
        }
    }
}
