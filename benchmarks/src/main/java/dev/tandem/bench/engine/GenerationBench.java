package dev.tandem.bench.engine;

import dev.tandem.models.Engine;
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
 * A whole generation: {@code batch} requests of a 16-token prompt submitted together, each producing
 * {@code tokens} greedy tokens; a sample is the time until the last one finishes (prefill included).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dai.djl.offline=true"})
public class GenerationBench {
    private static final int PROMPT = 16;

    @Param({"tiny", "110m"})
    public String shape;

    @Param({"1", "4", "8", "16"})
    public int batch;

    @Param({"32"})
    public int tokens;

    @Param({"0"})
    public int threads;

    /** The compute dtype; auto: bfloat16 on CPUs with AVX512_BF16 or AMX, else float32. */
    @Param({"auto"})
    public String dtype;

    private Engine engine;
    private long seed;

    @Setup(Level.Trial)
    public void start() {
        engine = EngineRuns.open(Checkpoints.get(shape), dtype, batch, PROMPT + tokens + 8, threads);
    }

    @Benchmark
    public long[][] generation() {
        return EngineRuns.runBatch(engine, batch, PROMPT, tokens, seed++);
    }

    @TearDown(Level.Trial)
    public void stop() {
        engine.close();
    }
}
