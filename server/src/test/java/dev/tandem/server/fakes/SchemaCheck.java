package dev.tandem.server.fakes;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.util.List;

/** Checks answers against their JSON schema with networknt's validator (draft 2020-12 unless the schema says otherwise). */
public final class SchemaCheck {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private SchemaCheck() {}

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** The validator's complaints about {@code answer} (empty when it validates); fails when it does not parse. */
    public static List<Error> errors(JsonNode schema, String answer) {
        Schema s = REGISTRY.getSchema(schema);
        return s.validate(parse(answer));
    }

    public static List<Error> errors(String schema, String answer) {
        return errors(parse(schema), answer);
    }
}
