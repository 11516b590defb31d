package dev.tandem.bench.hot;

import dev.tandem.bench.engine.Checkpoints;
import dev.tandem.bench.engine.EngineRuns;
import dev.tandem.models.Engine;
import dev.tandem.models.Tokenizer;
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
 * The engine's tokenizer (the checkpoint's tokenizer.json through DJL's HuggingFace tokenizers):
 * encoding a chat-sized prompt of about 1 KB and decoding it back.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-Dai.djl.offline=true", "-Dlogback.configurationFile=bench-logback.xml"})
public class TokenizerBench {
    static final String TEXT = ("You are a helpful assistant. Summarise the following function and point out any bug:\n"
            + "def mean(xs):\n    total = 0\n    for x in xs:\n        total += x\n    return total / len(xs)\n"
            + "Consider empty lists, very large inputs, and floating point error; answer in three sentences. ").repeat(3);

    @Param({"110m"})
    public String shape;

    private Engine engine;
    private Tokenizer tokenizer;
    private int[] ids;

    @Setup(Level.Trial)
    public void setUp() {
        engine = EngineRuns.open(Checkpoints.get(shape), "auto", 1, 64, 1);
        tokenizer = engine.tokenizer();
        ids = tokenizer.encode(TEXT, true);
    }

    @Benchmark
    public int[] encode() {
        return tokenizer.encode(TEXT, true);
    }

    @Benchmark
    public String decode() {
        return tokenizer.decode(ids);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }
}
