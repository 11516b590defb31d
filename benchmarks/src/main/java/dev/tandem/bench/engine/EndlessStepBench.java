package dev.tandem.bench.engine;

import dev.tandem.models.Engine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the step benchmarks share: {@code batch} {@link EndlessStreams} in an engine opened on a shape,
 * each sample the interval between two consecutive tokens of stream 0 (one scheduler step), every
 * iteration started on a step boundary. A subclass says its batch sizes, the context its streams need
 * and what they ask for; JMH runs the setup, benchmark and teardown inherited from here as its own.
 */
@State(Scope.Benchmark)
public abstract class EndlessStepBench {
    @Param({"tiny", "110m"})
    public String shape;

    @Param({"0"})
    public int threads;

    /** The compute dtype; auto: bfloat16 on CPUs with AVX512_BF16 or AMX, else float32. */
    @Param({"auto"})
    public String dtype;

    private Engine engine;
    private EndlessStreams streams;

    /** Streams kept running together (the subclass's {@code batch} parameter). */
    abstract int batch();

    /** The longest sequence one stream may reach, prompt included. */
    abstract int contextPerSequence();

    /** What each stream asks for, in {@code engine}. */
    abstract EndlessStreams.Requests requests(Engine engine);

    @Setup(Level.Trial)
    public void start() {
        engine = EngineRuns.open(Checkpoints.get(shape), dtype, batch(), contextPerSequence(), threads);
        streams = new EndlessStreams(engine, batch(), requests(engine));
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
