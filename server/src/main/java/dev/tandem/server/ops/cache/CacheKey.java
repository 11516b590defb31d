package dev.tandem.server.ops.cache;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.tandem.models.Prompt;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Policy;
import dev.tandem.server.core.ResponseFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

/**
 * The normalised request: everything that shapes the answer (a defaulted max_tokens may be lowered
 * where an explicit one is refused), nothing that does not (request id, dialect, stream flag,
 * end-user id). The routing policies (the key's and the request's) are part of it, since with the
 * model they decide which backend answers; the key id is part of it unless caching is shared.
 *
 * <p>{@link #canonicalJson()} writes it the same way in every JVM (what a shared cache is keyed by):
 * map entries and set elements sorted, properties in alphabetical order, every variant of a sealed
 * type tagged by its class, nulls written out; so two requests get the same JSON exactly when they are
 * equal (toString is no such key: set and map order differ between JVMs, and text can forge its format).
 *
 * @param keyId the caller's key id, or null when answers are shared between keys
 * @param request the request with what does not shape the answer set to constants
 */
public record CacheKey(String keyId, Policy keyPolicy, InferenceRequest request) {
    /** Bumped when the canonical form changes, so that no replica replays an answer kept under another form. */
    private static final int FORM = 1;

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .addMixIn(Input.class, Tagged.class)
            .addMixIn(Content.class, Tagged.class)
            .addMixIn(ResponseFormat.class, Tagged.class)
            .addMixIn(Prompt.class, Tagged.class)
            .addModule(new SimpleModule().addSerializer(Set.class, new SortedSetSerializer()))
            .build();

    public static CacheKey of(InferenceRequest r, boolean perKey) {
        InferenceRequest normalised = r.toBuilder()
                .withRequestId("")
                .withDialect(Dialect.OPENAI)
                .withStream(false)
                .withUser(null)
                .withCaller(Caller.ANONYMOUS)
                .build();
        return new CacheKey(perKey ? r.caller().keyId() : null, r.caller().policy(), normalised);
    }

    /** This key as JSON, the same in every JVM and for every equal key. */
    public String canonicalJson() {
        try {
            return CANONICAL.writeValueAsString(new Form(FORM, this));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the request cannot be written as JSON", e);
        }
    }

    /** The SHA-256 of {@link #canonicalJson()}, in hex: a fixed-size key for a shared store. */
    public String digest() {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private record Form(int form, CacheKey key) {}

    /** A sealed interface's variants carry their class name: two empty records (ResponseFormat's) stay apart. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@type")
    private interface Tagged {}

    /** Sets in their natural order (Set.copyOf's order differs between JVMs). */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class SortedSetSerializer extends JsonSerializer<Set> {
        @Override
        public void serialize(Set value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartArray();
            for (Object element : new TreeSet<>(value)) {
                provider.defaultSerializeValue(element, gen);
            }
            gen.writeEndArray();
        }
    }
}
