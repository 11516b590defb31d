package dev.tandem.bench.engine;

import dev.tandem.models.Engine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
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
public class DecodeStepBench extends EndlessStepBench {
    /** Tokens per stream before it is restarted (a restart adds one prefill to that step). */
    private static final int STREAM_TOKENS = 256;
    private static final int PROMPT = 8;

    @Param({"1", "4", "8", "16"})
    public int batch;

    @Override
    int batch() {
        return batch;
    }

    @Override
    int contextPerSequence() {
        return PROMPT + STREAM_TOKENS + 8;
    }

    @Override
    EndlessStreams.Requests requests(Engine engine) {
        int vocab = engine.model().vocabSize();
        return (stream, restart) -> EngineRuns.fixedLength("step-" + stream, EngineRuns.promptIds(PROMPT, vocab, stream), STREAM_TOKENS);
    }
}
