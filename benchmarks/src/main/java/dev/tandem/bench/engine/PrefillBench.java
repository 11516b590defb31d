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
 * Prefill of a 128- or 1,024-token prompt on an idle engine (prefill chunk 1,024: one forward), timed
 * to its first generated token: the time to first token a lone request sees.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dai.djl.offline=true"})
public class PrefillBench {

    @Param({"tiny", "110m"})
    public String shape;

    @Param({"128", "1024"})
    public int promptTokens;

    @Param({"0"})
    public int threads;

    /** The compute dtype; auto: bfloat16 on CPUs with AVX512_BF16 or AMX, else float32. */
    @Param({"auto"})
    public String dtype;

    private Engine engine;
    private long seed;

    @Setup(Level.Trial)
    public void start() {
        engine = EngineRuns.open(Checkpoints.get(shape), dtype, 1, promptTokens + 8, threads);
    }

    @Benchmark
    public long[][] prefill() {
        return EngineRuns.runBatch(engine, 1, promptTokens, 1, seed++);
    }

    @TearDown(Level.Trial)
    public void stop() {
        engine.close();
    }
}
