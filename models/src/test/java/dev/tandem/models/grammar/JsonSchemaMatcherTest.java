package dev.tandem.models.grammar;

import static dev.tandem.models.grammar.TestVocabulary.EOS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.OutputConstraint;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The matcher on hand-written outputs: what a schema lets through byte by byte, and what it stops. */
class JsonSchemaMatcherTest {
    private static final ConstraintCompiler COMPILER = new ConstraintCompiler(TestVocabulary.VOCABULARY);

    static JsonNode schema(String json) {
        return SchemaValidation.parse(json.replace('\'', '"'));
    }

    static GrammarConstraint compile(String schema) {
        return COMPILER.jsonSchema(schema(schema));
    }

    /** Whether the whole of {@code text}, written one byte per token, is allowed and may end there. */
    static boolean accepts(OutputConstraint constraint, String text) {
        OutputConstraint.Matcher m = constraint.start();
        for (int token : TestVocabulary.bytes(text)) {
            if (!allowed(m, token)) {
                return false;
            }
            m.accept(token);
        }
        return allowed(m, EOS) || m.mustEnd();
    }

    static boolean allowed(OutputConstraint.Matcher m, int token) {
        long[] bits = new long[Mask.words(TestVocabulary.VOCABULARY.size)];
        m.fillAllowed(bits);
        return (bits[token >>> 6] & (1L << token)) != 0;
    }

    private static final String PERSON = "{'type':'object','properties':{'name':{'type':'string'},'age':{'type':'integer'},"
            + "'tags':{'type':'array','items':{'type':'string'}}},'required':['name']}";

    @Test
    void anObjectTakesItsPropertiesInOrderAndOptionalOnesMayBeLeftOut() {
        GrammarConstraint person = compile(PERSON);
        assertThat(accepts(person, "{\"name\":\"Bob\",\"age\":3,\"tags\":[\"a\",\"b\"]}")).isTrue();
        assertThat(accepts(person, "{\"name\": \"Bob\", \"tags\": []}")).isTrue();
        assertThat(accepts(person, " {\"name\":\"\"}")).isTrue();                  // one space may lead
        assertThat(accepts(person, "{\"age\":3,\"name\":\"Bob\"}")).isFalse();     // out of order
        assertThat(accepts(person, "{\"age\":3}")).isFalse();                      // required name missing
        assertThat(accepts(person, "{\"name\":\"Bob\",\"x\":1}")).isFalse();       // no further keys
        assertThat(accepts(person, "{ \"name\":\"Bob\"}")).isFalse();              // no space after {
        assertThat(accepts(person, "{\"name\":  \"Bob\"}")).isFalse();            // at most one space
        assertThat(accepts(person, "{\"name\":\"Bob\"} ")).isFalse();              // nothing after the value
        assertThat(accepts(person, "{\"name\":\"Bob\"")).isFalse();                // not complete
    }

    @Test
    void stringsTakeEscapesAndUtf8AndRefuseWhatJsonForbids() {
        GrammarConstraint string = compile("{'type':'string'}");
        assertThat(accepts(string, "\"a\\\"b\\\\c\\n\\u00e9\\/\"")).isTrue();
        assertThat(accepts(string, "\"é 中 😀\"")).isTrue();
        assertThat(accepts(string, "\"line\nbreak\"")).isFalse();                 // raw control character
        assertThat(accepts(string, "\"\\x\"")).isFalse();                          // no such escape
        assertThat(accepts(string, "\"\\ud800\"")).isFalse();                      // a lone surrogate
        OutputConstraint.Matcher m = string.start();
        m.accept(TestVocabulary.byteToken('"'));
        assertThat(allowed(m, TestVocabulary.byteToken(0xC0))).isFalse();         // overlong lead byte
        assertThat(allowed(m, TestVocabulary.byteToken(0xE0))).isTrue();
        m.accept(TestVocabulary.byteToken(0xE0));
        assertThat(allowed(m, TestVocabulary.byteToken(0x80))).isFalse();         // overlong three-byte form
        assertThat(allowed(m, TestVocabulary.byteToken(0xA0))).isTrue();
    }

    @Test
    void stringLengthsCountCharacters() {
        GrammarConstraint s = compile("{'type':'string','minLength':2,'maxLength':3}");
        assertThat(accepts(s, "\"ab\"")).isTrue();
        assertThat(accepts(s, "\"é\\n中\"")).isTrue();
        assertThat(accepts(s, "\"a\"")).isFalse();
        assertThat(accepts(s, "\"abcd\"")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "12", "-12.5", "3e7", "1.25E-3", "10e+2"})
    void numbersFollowJsonsGrammar(String number) {
        assertThat(accepts(compile("{'type':'number'}"), number)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "1.", ".5", "+1", "-", "1e", "1e+", "0x1", "1.5.2"})
    void malformedNumbersAreRefused(String number) {
        assertThat(accepts(compile("{'type':'number'}"), number)).isFalse();
    }

    @Test
    void integersHaveNoFractionOrExponent() {
        GrammarConstraint integer = compile("{'type':'integer'}");
        assertThat(accepts(integer, "-42")).isTrue();
        assertThat(accepts(integer, "4.2")).isFalse();
        assertThat(accepts(integer, "4e2")).isFalse();
    }

    @Test
    void enumsConstsBooleansAndNullAreLiterals() {
        GrammarConstraint colour = compile("{'enum':['red','green',7,null,{'a':[1]}]}");
        for (String ok : List.of("\"red\"", "\"green\"", "7", "null", "{\"a\":[1]}")) {
            assertThat(accepts(colour, ok)).as(ok).isTrue();
        }
        assertThat(accepts(colour, "\"blue\"")).isFalse();
        assertThat(accepts(colour, "\"re\"")).isFalse();
        assertThat(accepts(compile("{'const':'x'}"), "\"x\"")).isTrue();
        assertThat(accepts(compile("{'type':'boolean'}"), "false")).isTrue();
        assertThat(accepts(compile("{'type':['string','null']}"), "null")).isTrue();
        assertThat(accepts(compile("{'type':'null'}"), "nul")).isFalse();
    }

    @Test
    void anyOfFollowsEveryBranchUntilTheBytesTellThemApart() {
        GrammarConstraint c = compile("{'anyOf':[{'type':'integer'},{'type':'object','properties':{'a':{'type':'string'}},"
                + "'required':['a']},{'type':'object','properties':{'ab':{'type':'boolean'}},'required':['ab']}]}");
        assertThat(accepts(c, "12")).isTrue();
        assertThat(accepts(c, "{\"a\":\"x\"}")).isTrue();
        assertThat(accepts(c, "{\"ab\":true}")).isTrue();
        assertThat(accepts(c, "{\"ab\":\"x\"}")).isFalse();
        assertThat(accepts(c, "{\"a\":true}")).isFalse();
    }

    @Test
    void arraysKeepTheirBoundsAndPrefixItems() {
        GrammarConstraint c = compile("{'type':'array','items':{'type':'integer'},'minItems':1,'maxItems':3}");
        assertThat(accepts(c, "[1, 2,3]")).isTrue();
        assertThat(accepts(c, "[]")).isFalse();
        assertThat(accepts(c, "[1,2,3,4]")).isFalse();
        assertThat(accepts(c, "[1,]")).isFalse();
        GrammarConstraint tuple = compile("{'type':'array','prefixItems':[{'type':'string'},{'type':'boolean'}],'items':false}");
        assertThat(accepts(tuple, "[\"a\",true]")).isTrue();
        assertThat(accepts(tuple, "[\"a\"]")).isTrue();
        assertThat(accepts(tuple, "[true]")).isFalse();
        assertThat(accepts(tuple, "[\"a\",true,1]")).isFalse();
    }

    @Test
    void furtherKeysFollowAdditionalPropertiesAndNeverRepeatADeclaredName() {
        GrammarConstraint c = compile("{'type':'object','properties':{'id':{'type':'integer'}},"
                + "'additionalProperties':{'type':'boolean'}}");
        assertThat(accepts(c, "{\"id\":1,\"x_1\":true,\"y\":false}")).isTrue();
        assertThat(accepts(c, "{\"flag\":true}")).isTrue();
        assertThat(accepts(c, "{\"x\":1}")).isFalse();
        assertThat(accepts(c, "{\"x\":true,\"id\":1}")).isFalse();  // declared ones come first
        assertThat(accepts(c, "{\"id\":1,\"id\":true}")).isFalse(); // no repeat of a declared key
        assertThat(accepts(COMPILER.jsonObject(), "{\"a\":{\"b\":[1,\"x\",null,{}]},\"c\":-1.5}")).isTrue();
        assertThat(accepts(COMPILER.jsonObject(), "[1]")).isFalse();
    }

    @Test
    void referencesToDefinitionsAreFollowedAndAllOfIsMerged() {
        GrammarConstraint c = compile("{'$defs':{'point':{'type':'object','properties':{'x':{'type':'number'}},'required':['x']}},"
                + "'type':'object','properties':{'p':{'$ref':'#/$defs/point'},'q':{'allOf':[{'$ref':'#/$defs/point'},"
                + "{'properties':{'y':{'type':'number'}},'required':['y']}]}},'required':['p','q']}");
        assertThat(accepts(c, "{\"p\":{\"x\":1},\"q\":{\"x\":2,\"y\":3}}")).isTrue();
        assertThat(accepts(c, "{\"p\":{\"x\":1},\"q\":{\"x\":2}}")).isFalse();
    }

    @Test
    void unsupportedKeywordsAreRefusedByNameOrLeftOutWhenAskedTo() {
        assertThatThrownBy(() -> compile("{'type':'object','properties':{'n':{'type':'integer','minimum':3}}}"))
                .isInstanceOfSatisfying(UnsupportedSchemaException.class, e -> {
                    assertThat(e.keyword()).isEqualTo("minimum");
                    assertThat(e.path()).isEqualTo("/properties/n");
                    assertThat(e.getMessage()).contains("'minimum'");
                });
        assertThatThrownBy(() -> compile("{'$defs':{'node':{'type':'object','properties':{'next':{'$ref':'#/$defs/node'}}}},"
                + "'$ref':'#/$defs/node'}"))
                .isInstanceOfSatisfying(UnsupportedSchemaException.class, e -> assertThat(e.keyword()).isEqualTo("$ref"));
        assertThatThrownBy(() -> compile("{'type':'string','format':'uri'}"))
                .isInstanceOfSatisfying(UnsupportedSchemaException.class, e -> assertThat(e.keyword()).isEqualTo("format"));
        GrammarConstraint lenient = COMPILER.jsonSchema(schema("{'type':'object','properties':{'n':{'type':'integer','minimum':3}},"
                + "'required':['n']}"), SchemaMode.BEST_EFFORT);
        assertThat(lenient.ignoredKeywords()).containsExactly("/properties/n/minimum");
        assertThat(accepts(lenient, "{\"n\":1}")).isTrue();
    }

    @Test
    void malformedOrUnsatisfiableSchemasAreInvalid() {
        assertThatThrownBy(() -> compile("{'type':'strin'}")).isInstanceOf(InvalidSchemaException.class).hasMessageContaining("strin");
        assertThatThrownBy(() -> compile("{'type':'string','minLength':5,'maxLength':2}")).isInstanceOf(InvalidSchemaException.class);
        assertThatThrownBy(() -> compile("{'type':'object','required':['a'],'properties':{'b':{}},'additionalProperties':false}"))
                .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> compile("{'$ref':'#/$defs/missing'}")).isInstanceOf(InvalidSchemaException.class);
    }

    @Test
    void theOutputMustEndOnceTheValueIsClosed() {
        OutputConstraint.Matcher m = compile(PERSON).start();
        for (int t : TestVocabulary.bytes("{\"name\":\"x\"")) {
            m.accept(t);
        }
        assertThat(m.mustEnd()).isFalse();
        m.accept(TestVocabulary.byteToken('}'));
        assertThat(m.mustEnd()).isTrue();
        assertThat(allowed(m, EOS)).isTrue();
    }

    @Test
    void multiByteTokensCrossTheStructure() {
        OutputConstraint.Matcher m = compile(PERSON).start();
        assertThat(allowed(m, TestVocabulary.piece("{\""))).isTrue();
        m.accept(TestVocabulary.piece("{\""));
        assertThat(allowed(m, TestVocabulary.piece("name"))).isTrue();
        assertThat(allowed(m, TestVocabulary.piece("abc"))).isFalse(); // no such key
        m.accept(TestVocabulary.piece("name"));
        assertThat(allowed(m, TestVocabulary.piece("\": \""))).isTrue();
        m.accept(TestVocabulary.piece("\": \""));
        assertThat(allowed(m, TestVocabulary.piece("\"}"))).isTrue();
        assertThat(allowed(m, TestVocabulary.piece("\"]"))).isFalse();
        assertThat(allowed(m, EOS)).isFalse();
        assertThatThrownBy(() -> m.accept(TestVocabulary.piece("\"]"))).isInstanceOf(IllegalStateException.class);
    }
}
