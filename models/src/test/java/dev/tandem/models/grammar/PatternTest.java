package dev.tandem.models.grammar;

import static dev.tandem.models.grammar.JsonSchemaMatcherTest.accepts;
import static dev.tandem.models.grammar.JsonSchemaMatcherTest.compile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** String patterns and formats: the decoded characters must match, escapes included. */
class PatternTest {
    private static final ConstraintCompiler COMPILER = new ConstraintCompiler(TestVocabulary.VOCABULARY);

    static ObjectNode pattern(String regex) {
        ObjectNode schema = JsonNodeFactory.instance.objectNode();
        schema.put("type", "string");
        schema.put("pattern", regex);
        return schema;
    }

    @Test
    void anchoredPatternsMatchTheWholeString() {
        GrammarConstraint code = COMPILER.jsonSchema(pattern("^[a-z]{2,4}-\\d+$"));
        assertThat(accepts(code, "\"ab-12\"")).isTrue();
        assertThat(accepts(code, "\"abcd-0\"")).isTrue();
        assertThat(accepts(code, "\"a-1\"")).isFalse();
        assertThat(accepts(code, "\"abcde-1\"")).isFalse();
        assertThat(accepts(code, "\"ab-\"")).isFalse();
        assertThat(accepts(code, "\"ab-1x\"")).isFalse();
    }

    @Test
    void unanchoredPatternsMatchAnywhereAndEscapesAreDecodedFirst() {
        GrammarConstraint contains = COMPILER.jsonSchema(pattern("a\"b|\\n"));
        assertThat(accepts(contains, "\"xx a\\\"b yy\"")).isTrue();
        assertThat(accepts(contains, "\"line\\nbreak\"")).isTrue();
        assertThat(accepts(contains, "\"nothing\"")).isFalse();
        GrammarConstraint unicode = COMPILER.jsonSchema(pattern("^(?:é|\\u4e2d)+$"));
        assertThat(accepts(unicode, "\"éé中\"")).isTrue();
        assertThat(accepts(unicode, "\"\\u00e9\"")).isTrue();
        assertThat(accepts(unicode, "\"e\"")).isFalse();
    }

    @Test
    void maxLengthBoundsAPatternThatCouldGoOn() {
        GrammarConstraint c = COMPILER.jsonSchema(SchemaValidation.parse(
                "{\"type\":\"string\",\"pattern\":\"^x+y$\",\"maxLength\":3}"));
        assertThat(accepts(c, "\"xxy\"")).isTrue();
        assertThat(accepts(c, "\"xxxy\"")).isFalse();
        // after "xxx" no y fits: the third x is refused already
        assertThat(accepts(c, "\"xx")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(?=a)b", "(a)\\1", "\\bword", "a^b", "a$b"})
    void unsupportedConstructsAreRefusedAsPattern(String regex) {
        assertThatThrownBy(() -> COMPILER.jsonSchema(pattern(regex)))
                .isInstanceOfSatisfying(UnsupportedSchemaException.class, e -> assertThat(e.keyword()).isEqualTo("pattern"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[a-", "(ab", "a{3,1}", "*a", "ab)"})
    void malformedPatternsAreInvalid(String regex) {
        assertThatThrownBy(() -> COMPILER.jsonSchema(pattern(regex))).isInstanceOf(InvalidSchemaException.class);
    }

    @Test
    void knownFormatsAreEnforcedAndOthersRefused() {
        assertThat(accepts(compile("{'type':'string','format':'date'}"), "\"2024-02-28\"")).isTrue();
        assertThat(accepts(compile("{'type':'string','format':'date'}"), "\"2024-2-28\"")).isFalse();
        assertThat(accepts(compile("{'type':'string','format':'uuid'}"), "\"123e4567-e89b-12d3-a456-426614174000\"")).isTrue();
        assertThat(accepts(compile("{'type':'integer','format':'int32'}"), "12")).isTrue(); // not a string: an annotation
        assertThatThrownBy(() -> compile("{'type':'string','format':'hostname'}"))
                .isInstanceOfSatisfying(UnsupportedSchemaException.class, e -> assertThat(e.getMessage()).contains("hostname"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'type':'string','pattern':'^[A-Z][a-z]{1,8}( [A-Z][a-z]{1,8})?$'}",
        "{'type':'string','pattern':'[0-9]{3}','maxLength':12}",
        "{'type':'object','properties':{'when':{'type':'string','format':'date-time'},'id':{'type':'string','format':'uuid'},"
                + "'ip':{'type':'string','format':'ipv4'},'mail':{'type':'string','format':'email'},"
                + "'day':{'type':'string','format':'date'},'at':{'type':'string','format':'time'}},"
                + "'required':['when','id','ip','mail','day','at']}"})
    void randomOutputsMatchTheirPatternsAndFormats(String schemaText) {
        JsonNode schema = JsonSchemaMatcherTest.schema(schemaText);
        GrammarConstraint constraint = COMPILER.jsonSchema(schema);
        SplittableRandom random = new SplittableRandom(5);
        for (int run = 0; run < 40; run++) {
            int budget = constraint.shortestOutput() + random.nextInt(60);
            String output = TestVocabulary.text(RandomWalkTest.walk(constraint.start(budget), budget, random));
            assertThat(SchemaValidation.errors(schema, output)).as(output).isEmpty();
        }
    }
}
