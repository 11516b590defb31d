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
 * One decode step at batch 1, 4, 8 and 16, through the engine's public API: {@code batch} endless
 * greedy streams run in the engine, and each sample is the interval between two consecutive tokens
 * of one of them, which is one scheduler step (one batched forward + sampling) at that batch size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dai.djl.offline=true"})
public class DecodeStepBench {
    /** Tokens per stream before it is restarted (a restart adds one prefill to that step). */
    private static final int STREAM_TOKENS = 256;
    private static final int PROMPT = 8;

    @Param({"tiny", "110m"})
    public String shape;

    @Param({"1", "4", "8", "16"})
    public int batch;

    @Param({"0"})
    public int threads;

    /** The compute dtype; auto: bfloat16 on CPUs with AVX512_BF16 or AMX, else float32. */
    @Param({"auto"})
    public String dtype;

    private Engine engine;
    private EndlessStreams streams;

    @Setup(Level.Trial)
    public void start() {
        engine = EngineRuns.open(Checkpoints.get(shape), dtype, batch, PROMPT + STREAM_TOKENS + 8, threads);
        int vocab = engine.model().vocabSize();
        streams = new EndlessStreams(engine, batch,
                (stream, restart) -> EngineRuns.fixedLength("step-" + stream, EngineRuns.promptIds(PROMPT, vocab, stream), STREAM_TOKENS));
    }

    /** Start each iteration on a step boundary, so that every sample is one whole step. */
    @Setup(Level.Iteration)
    public void sync() throws InterruptedException {
        streams.clear();
        streams.nextStep();
    }

    @Benchmark
    public long step() throws InterruptedException {
        return streams.nextStep();
    }

    @TearDown(Level.Trial)
    public void stop() {
        streams.close();
        engine.close();
    }
}
