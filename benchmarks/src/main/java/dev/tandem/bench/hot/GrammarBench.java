package dev.tandem.bench.hot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.bench.engine.Checkpoints;
import dev.tandem.bench.engine.ConstrainedStepBench;
import dev.tandem.models.OutputConstraint;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.grammar.ConstraintCompiler;
import dev.tandem.models.text.HfTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Building token masks for a typical tool schema over the checkpoint's vocabulary: compiling a schema
 * and building its first mask (cold: a schema never seen, so nothing is cached); following a typical
 * answer token by token with every mask built on the way (cold) and with the masks cached (warm, as
 * the next request with the same schema).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Dai.djl.offline=true", "-Dlogback.configurationFile=bench-logback.xml"})
public class GrammarBench {
    static final String ANSWER = "{\"command\": \"ls -la /tmp\", \"timeout\": 5000, \"description\": \"List the files in tmp\"}";

    @Param({"110m"})
    public String shape;

    private Checkpoint checkpoint;
    private HfTokenizer tokenizer;
    private ConstraintCompiler compiler;
    private ObjectNode schema;
    private int[] answer;
    private long fresh;
    private OutputConstraint warm;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        checkpoint = Checkpoint.open(Checkpoints.get(shape));
        tokenizer = HfTokenizer.open(checkpoint);
        long t0 = System.nanoTime();
        compiler = ConstraintCompiler.of(tokenizer);
        System.err.printf("vocabulary trie of %d tokens built in %.1f ms%n", tokenizer.vocabSize(), (System.nanoTime() - t0) / 1e6);
        schema = (ObjectNode) new ObjectMapper().readTree(ConstrainedStepBench.TOOL_SCHEMA);
        answer = tokenizer.encode(ANSWER, false);
        warm = compiler.jsonSchema(schema);
        follow(warm);
    }

    /** The schema with a description never used before: compiled anew, no mask cached. */
    private JsonNode freshSchema() {
        ObjectNode s = schema.deepCopy();
        s.put("description", "fresh " + fresh++);
        return s;
    }

    private int follow(OutputConstraint constraint) {
        OutputConstraint.Matcher m = constraint.start(256);
        long[] allowed = new long[(tokenizer.vocabSize() + 63) >>> 6];
        int bits = 0;
        for (int token : answer) {
            java.util.Arrays.fill(allowed, 0);
            m.fillAllowed(allowed);
            if ((allowed[token >>> 6] & (1L << token)) == 0) {
                throw new IllegalStateException("the answer's token " + token + " is not allowed");
            }
            bits += Long.bitCount(allowed[0]);
            m.accept(token);
        }
        if (!m.mustEnd()) {
            throw new IllegalStateException("the answer should be complete");
        }
        return bits;
    }

    @Benchmark
    public long compileAndFirstMask() {
        OutputConstraint c = compiler.jsonSchema(freshSchema());
        long[] allowed = new long[(tokenizer.vocabSize() + 63) >>> 6];
        c.start().fillAllowed(allowed);
        return allowed[0];
    }

    @Benchmark
    public int answerCold() {
        return follow(compiler.jsonSchema(freshSchema()));
    }

    @Benchmark
    public int answerWarm() {
        return follow(warm);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tokenizer.close();
        checkpoint.close();
    }
}
