package dev.tandem.bench.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.models.Engine;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.OutputConstraint;
import dev.tandem.models.Prompt;
import dev.tandem.models.SamplingParams;
import dev.tandem.models.grammar.ConstraintCompiler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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
 * What constrained decoding adds to a decode step: {@code batch} endless streams sampled at
 * temperature 1, free ({@code constraint=none}) or held to a typical tool schema ({@code
 * constraint=tool}: a shell command, a description, a timeout); each sample is the interval between two
 * tokens of one stream. Prompts are one token, so a stream that ends and restarts adds a one-token
 * prefill row, as cheap as a decode row. Compare the two settings of one run; the warm-up fills the
 * constraint's mask cache, as a server's first requests do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-Dai.djl.offline=true"})
public class ConstrainedStepBench {
    /** A Bash-like tool's parameters, as coding agents send them. */
    public static final String TOOL_SCHEMA = "{\"type\":\"object\",\"properties\":{"
            + "\"command\":{\"type\":\"string\",\"description\":\"The command to execute\"},"
            + "\"timeout\":{\"type\":\"integer\",\"description\":\"Optional timeout in milliseconds\"},"
            + "\"description\":{\"type\":\"string\",\"description\":\"What the command does, in 5-10 words\"},"
            + "\"run_in_background\":{\"type\":\"boolean\"}},"
            + "\"required\":[\"command\"],\"additionalProperties\":false}";
    private static final int STREAM_TOKENS = 256;

    @Param({"tiny", "110m"})
    public String shape;

    @Param({"1", "8"})
    public int batch;

    @Param({"none", "tool"})
    public String constraint;

    @Param({"0"})
    public int threads;

    private Engine engine;
    private OutputConstraint rule;
    private final BlockingQueue<Long> steps = new LinkedBlockingQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService restarter = Executors.newSingleThreadExecutor();
    private long restarts;

    @Setup(Level.Trial)
    public void start() {
        engine = EngineRuns.open(Checkpoints.get(shape), batch, STREAM_TOKENS + 8, threads);
        if (constraint.equals("tool")) {
            try {
                rule = ConstraintCompiler.of(engine.tokenizer()).jsonSchema(new ObjectMapper().readTree(TOOL_SCHEMA));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (!constraint.equals("none")) {
            throw new IllegalArgumentException("constraint is none or tool");
        }
        for (int s = 0; s < batch; s++) {
            submit(s, s == 0 ? e -> {
                if (e instanceof GenerationEvent.Token) steps.offer(System.nanoTime());
            } : e -> { });
        }
    }

    private void submit(int stream, Consumer<GenerationEvent> onEvent) {
        int vocab = engine.model().vocabSize();
        GenerationRequest request = GenerationRequest.builder("step-" + stream + "-" + restarts++,
                        Prompt.tokens(EngineRuns.promptIds(1, vocab, stream + 31L * restarts)))
                .withMaxTokens(STREAM_TOKENS)
                .withSampling(SamplingParams.builder().withTemperature(1).withSeed(stream + 1000L * restarts).build())
                .withConstraint(rule)
                .build();
        engine.submit(request, e -> {
            onEvent.accept(e);
            if (e instanceof GenerationEvent.Finished && running.get()) {
                restarter.execute(() -> submit(stream, onEvent));
            }
        });
    }

    @Setup(Level.Iteration)
    public void sync() throws InterruptedException {
        steps.clear();
        nextStep();
    }

    @Benchmark
    public long step() throws InterruptedException {
        return nextStep();
    }

    private long nextStep() throws InterruptedException {
        Long t = steps.poll(60, TimeUnit.SECONDS);
        if (t == null) {
            throw new IllegalStateException("no token for 60 s: the engine stalled");
        }
        return t;
    }

    @TearDown(Level.Trial)
    public void stop() {
        running.set(false);
        restarter.shutdownNow();
        engine.close();
    }
}
