package dev.tandem.models.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.OutputConstraint;
import org.junit.jupiter.api.Test;

/** Masks are built once per state and shared: by every matcher of a constraint, and by a long string's positions. */
class MaskCacheTest {

    private static void write(OutputConstraint.Matcher m, String text) {
        long[] bits = new long[Mask.words(TestVocabulary.VOCABULARY.size)];
        for (int token : TestVocabulary.bytes(text)) {
            m.fillAllowed(bits);
            m.accept(token);
        }
    }

    @Test
    void aSecondOutputThroughTheSameStatesBuildsNoMask() {
        GrammarConstraint c = new ConstraintCompiler(TestVocabulary.VOCABULARY).jsonSchema(JsonSchemaMatcherTest.schema(
                "{'type':'object','properties':{'city':{'type':'string'},'days':{'type':'integer'}},'required':['city']}"));
        String answer = "{\"city\": \"Paris\", \"days\":3}";
        write(c.start(), answer);
        long built = c.masksBuilt();
        assertThat(built).isPositive();
        write(c.start(), answer);
        write(c.start(100), answer);
        assertThat(c.masksBuilt()).isEqualTo(built);
    }

    @Test
    void aLongStringsPositionsShareTheirMasks() {
        ConstraintCompiler compiler = new ConstraintCompiler(TestVocabulary.VOCABULARY);
        GrammarConstraint free = compiler.jsonSchema(JsonSchemaMatcherTest.schema("{'type':'string'}"));
        GrammarConstraint bounded = compiler.jsonSchema(JsonSchemaMatcherTest.schema("{'type':'string','minLength':5,'maxLength':400}"));
        String text = "\"" + "abcdefghij".repeat(30);
        write(free.start(), text);
        write(bounded.start(), text);
        // the free string: the start and one state for all of its content
        assertThat(free.masksBuilt()).isEqualTo(2);
        // the bounded one: a mask per position only while a bound is within one token's reach (here 5 chars)
        int clamp = TestVocabulary.VOCABULARY.maxTokenBytes + 1;
        assertThat(bounded.masksBuilt()).isLessThanOrEqualTo(2L + 2 * clamp);
    }

    @Test
    void aSchemaIsCompiledOncePerCompiler() {
        ConstraintCompiler compiler = new ConstraintCompiler(TestVocabulary.VOCABULARY);
        String schema = "{'type':'object','properties':{'a':{'type':'integer'}}}";
        assertThat(compiler.jsonSchema(JsonSchemaMatcherTest.schema(schema)))
                .isSameAs(compiler.jsonSchema(JsonSchemaMatcherTest.schema(schema)));
        assertThat(compiler.jsonObject()).isSameAs(compiler.jsonObject());
    }
}
