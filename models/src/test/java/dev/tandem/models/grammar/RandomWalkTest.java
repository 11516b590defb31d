package dev.tandem.models.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.OutputConstraint;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Outputs chosen at random among the tokens the matcher allows (a model that knows nothing) always
 * parse and validate, within their token budget: the mask and the budget alone make them so.
 */
class RandomWalkTest {
    private static final ConstraintCompiler COMPILER = new ConstraintCompiler(TestVocabulary.VOCABULARY);

    static Stream<String> schemas() {
        return Stream.of(
                "{'type':'object','properties':{'name':{'type':'string'},'age':{'type':'integer'},'tags':{'type':'array',"
                        + "'items':{'type':'string','maxLength':5},'maxItems':4}},'required':['name','tags']}",
                "{'type':'array','items':{'type':'array','items':{'type':'number'},'minItems':1},'minItems':2,'maxItems':3}",
                "{'type':'object','properties':{'kind':{'enum':['circle','square']},'size':{'anyOf':[{'type':'number'},"
                        + "{'type':'null'}]},'label':{'type':'string','minLength':3}},'required':['kind','size','label'],"
                        + "'additionalProperties':false}",
                "{'type':'object','properties':{'a':{'type':'object','properties':{'b':{'type':'object','properties':"
                        + "{'c':{'type':'boolean'}},'required':['c']}},'required':['b']},'z':{'const':'end'}},'required':['a','z']}",
                "{'type':'object','additionalProperties':{'type':'integer'}}",
                "{'$defs':{'item':{'type':'object','properties':{'id':{'type':'integer'},'note':{'type':['string','null']}},"
                        + "'required':['id','note']}},'type':'array','items':{'$ref':'#/$defs/item'},'minItems':1}",
                "{'type':'object','properties':{'query':{'type':'string'},'limit':{'type':'integer'}},'required':['query']}",
                "{}");
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void randomOutputsValidateWithinTheirBudget(String schemaText) {
        JsonNode schema = JsonSchemaMatcherTest.schema(schemaText);
        GrammarConstraint constraint = COMPILER.jsonSchema(schema);
        SplittableRandom random = new SplittableRandom(7);
        for (int run = 0; run < 60; run++) {
            int budget = constraint.shortestOutput() + random.nextInt(40);
            List<Integer> tokens = walk(constraint.start(budget), budget, random);
            String output = TestVocabulary.text(tokens);
            assertThat(tokens.size()).as(output).isLessThanOrEqualTo(budget);
            assertThat(SchemaValidation.errors(schema, output)).as(output).isEmpty();
        }
    }

    @Test
    void anyJsonObjectStaysAnObjectAndNestsNoDeeperThanTheBound() {
        SplittableRandom random = new SplittableRandom(3);
        for (int run = 0; run < 100; run++) {
            int budget = 2 + random.nextInt(120);
            String output = TestVocabulary.text(walk(COMPILER.jsonObject().start(budget), budget, random));
            JsonNode node = SchemaValidation.parse(output);
            assertThat(node.isObject()).as(output).isTrue();
            assertThat(depth(node)).isLessThanOrEqualTo(SchemaCompiler.MAX_ANY_DEPTH);
        }
    }

    /** Tokens chosen uniformly among the allowed ones until the matcher must end or EOS is drawn. */
    static List<Integer> walk(OutputConstraint.Matcher m, int budget, SplittableRandom random) {
        List<Integer> tokens = new ArrayList<>();
        long[] bits = new long[Mask.words(TestVocabulary.VOCABULARY.size)];
        while (!m.mustEnd() && tokens.size() < budget) {
            java.util.Arrays.fill(bits, 0);
            m.fillAllowed(bits);
            List<Integer> allowed = new ArrayList<>();
            for (int id = 0; id < TestVocabulary.VOCABULARY.size; id++) {
                if ((bits[id >>> 6] & (1L << id)) != 0) {
                    allowed.add(id);
                }
            }
            assertThat(allowed).as("a state with nothing allowed after %s", TestVocabulary.text(tokens)).isNotEmpty();
            int token = allowed.get(random.nextInt(allowed.size()));
            if (token == TestVocabulary.EOS) {
                break;
            }
            m.accept(token);
            tokens.add(token);
        }
        return tokens;
    }

    private static int depth(JsonNode node) {
        int d = 0;
        for (JsonNode child : node) {
            d = Math.max(d, depth(child));
        }
        return node.isContainerNode() ? d + 1 : 0;
    }
}
