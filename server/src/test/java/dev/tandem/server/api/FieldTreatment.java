package dev.tandem.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a test expects an edge to do with one request field, and the check that it does: nothing known
 * may be ignored silently.
 */
public enum FieldTreatment {
    /** A component of the wire record whose value changes the internal request. */
    HONOURED,
    /**
     * A component of the wire record that shapes the answer the edge writes, not the request (such as
     * {@code stream_options}); the integration tests of the answer's shape prove it.
     */
    SHAPES_ANSWER,
    /** Passed unchanged to the dialect's own upstream; no meaning to the local model or the other dialect. */
    PASS,
    /** Passed to the dialect's own upstream, which alone may serve the request. */
    ESSENTIAL,
    /** A 400 naming the field. */
    REFUSED;

    /**
     * {@code field} given as {@code value} (JSON) on top of {@code base} (a body complete without it) gets
     * this treatment from the edge of {@code dialect}, whose wire record is {@code wire}, whose table is
     * {@code rules} and which turns a body into requests with {@code parse}.
     */
    public void check(Dialect dialect, String field, String value, String base, FieldRules rules, Class<?> wire,
            Function<String, List<InferenceRequest>> parse) {
        String with = base.substring(0, base.length() - 1) + ",\"" + field + "\":" + value + "}";
        Dialect other = dialect == Dialect.OPENAI ? Dialect.ANTHROPIC : Dialect.OPENAI;
        switch (this) {
            case HONOURED -> {
                assertThat(wireFields(wire)).as("the wire record reads it").contains(field);
                assertThat(parse.apply(with)).as("'%s' changes the request", field).isNotEqualTo(parse.apply(base));
            }
            case SHAPES_ANSWER -> {
                assertThat(wireFields(wire)).as("the wire record reads it").contains(field);
                assertThat(rules.rule(field)).isNull();
                assertThat(parse.apply(with)).as("'%s' is accepted", field).isEqualTo(parse.apply(base));
            }
            case PASS -> {
                assertThat(rules.rule(field)).isNotNull();
                InferenceRequest r = parse.apply(with).get(0);
                assertThat(r.passthrough().fieldsFor(dialect)).containsEntry(field, Json.write(tree(value)));
                assertThat(r.passthrough().fieldsFor(other)).isEmpty();
                assertThat(r.passthrough().essentialFieldFor(null)).as("the local model may serve it").isNull();
            }
            case ESSENTIAL -> {
                InferenceRequest r = parse.apply(with).get(0);
                assertThat(r.passthrough().fieldsFor(dialect)).containsEntry(field, Json.write(tree(value)));
                assertThat(r.passthrough().essentialFieldFor(null)).isEqualTo(field);
                assertThat(r.passthrough().essentialFieldFor(other)).isEqualTo(field);
                assertThat(r.passthrough().essentialFieldFor(dialect)).isNull();
            }
            case REFUSED -> assertThatThrownBy(() -> parse.apply(with))
                    .isInstanceOf(ApiException.class)
                    .satisfies(e -> assertThat(((ApiException) e).param()).isEqualTo(field))
                    .hasMessageContaining("'" + field + "'");
        }
    }

    /** The record's components in snake_case, as the mapper reads them. */
    private static Set<String> wireFields(Class<?> record) {
        return Arrays.stream(record.getRecordComponents()).map(c -> c.getName().replaceAll("([A-Z])", "_$1").toLowerCase())
                .collect(Collectors.toSet());
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
