package dev.tandem.bench.hot;

import dev.tandem.bench.engine.Checkpoints;
import dev.tandem.bench.engine.ConstrainedStepBench;
import dev.tandem.models.OutputConstraint;
import dev.tandem.models.SamplingParams;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.grammar.ConstraintCompiler;
import dev.tandem.models.sampling.Sampler;
import dev.tandem.models.text.HfTokenizer;
import java.util.Set;
import java.util.SplittableRandom;
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
 * What the constraint adds to choosing one token, which is all it adds to a decode step: one {@link
 * Sampler#choose} at temperature 1 over a row of random logits, free or through a tool schema's
 * matcher (mask, masking, following the token, the end check), warm cache. The difference of the two,
 * times the batch, over a decode step's time (DecodeStepBench) is the overhead. Far quieter than two
 * engine runs on a shared machine.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Dai.djl.offline=true", "-Dlogback.configurationFile=bench-logback.xml"})
public class ConstrainedSamplingBench {
    @Param({"110m"})
    public String shape;

    @Param({"none", "tool"})
    public String constraint;

    private Checkpoint checkpoint;
    private HfTokenizer tokenizer;
    private OutputConstraint rule;
    private float[][] rows;
    private int next;
    private Sampler sampler;
    private long restarts;

    @Setup(Level.Trial)
    public void setUp() {
        checkpoint = Checkpoint.open(Checkpoints.get(shape));
        tokenizer = HfTokenizer.open(checkpoint);
        rule = constraint.equals("tool") ? ConstraintCompiler.of(tokenizer).jsonSchema(ConstrainedStepBench.toolSchema()) : null;
        SplittableRandom random = new SplittableRandom(1);
        rows = new float[64][tokenizer.vocabSize()];
        for (float[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) (random.nextDouble() * 8 - 4);
            }
        }
        sampler = newSampler();
    }

    private Sampler newSampler() {
        return new Sampler(SamplingParams.builder().withTemperature(1).withSeed(restarts++).build(), -1, tokenizer.vocabSize(),
                new int[] {1}, tokenizer.eosIds(), 0, rule == null ? null : rule.start(256));
    }

    @Benchmark
    public int choose() {
        if (sampler.mustEnd() || sampler.generated() >= 256) {
            sampler = newSampler();
        }
        return sampler.choose(rows[next++ & 63], 0).token();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tokenizer.close();
        checkpoint.close();
    }
}
