package dev.tandem.bench.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.models.Engine;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.OutputConstraint;
import dev.tandem.models.Prompt;
import dev.tandem.models.SamplingParams;
import dev.tandem.models.grammar.ConstraintCompiler;
import java.io.IOException;
import java.io.UncheckedIOException;
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
public class ConstrainedStepBench extends EndlessStepBench {
    /** A Bash-like tool's parameters, as coding agents send them. */
    public static final String TOOL_SCHEMA = "{\"type\":\"object\",\"properties\":{"
            + "\"command\":{\"type\":\"string\",\"description\":\"The command to execute\"},"
            + "\"timeout\":{\"type\":\"integer\",\"description\":\"Optional timeout in milliseconds\"},"
            + "\"description\":{\"type\":\"string\",\"description\":\"What the command does, in 5-10 words\"},"
            + "\"run_in_background\":{\"type\":\"boolean\"}},"
            + "\"required\":[\"command\"],\"additionalProperties\":false}";
    private static final int STREAM_TOKENS = 256;

    @Param({"1", "8"})
    public int batch;

    @Param({"none", "tool"})
    public String constraint;

    @Override
    int batch() {
        return batch;
    }

    @Override
    int contextPerSequence() {
        return STREAM_TOKENS + 8;
    }

    @Override
    EndlessStreams.Requests requests(Engine engine) {
        OutputConstraint rule = switch (constraint) {
            case "none" -> null;
            case "tool" -> ConstraintCompiler.of(engine.tokenizer()).jsonSchema(toolSchema());
            default -> throw new IllegalArgumentException("constraint is none or tool");
        };
        int vocab = engine.model().vocabSize();
        return (stream, restart) ->
                GenerationRequest.builder("step-" + stream + "-" + restart, Prompt.tokens(EngineRuns.promptIds(1, vocab, stream + 31L * restart)))
                        .withMaxTokens(STREAM_TOKENS)
                        .withSampling(SamplingParams.builder().withTemperature(1).withSeed(stream + 1000L * restart).build())
                        .withConstraint(rule)
                        .build();
    }

    /** {@link #TOOL_SCHEMA} parsed. */
    public static JsonNode toolSchema() {
        try {
            return new ObjectMapper().readTree(TOOL_SCHEMA);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
