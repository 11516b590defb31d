package dev.tandem.bench.hot;

import dev.tandem.bench.http.HttpDriver;
import dev.tandem.bench.http.Outcome;
import dev.tandem.bench.http.RequestSpec;
import dev.tandem.server.api.Bodies;
import dev.tandem.server.api.ErrorResponses;
import dev.tandem.server.api.ServePath;
import dev.tandem.server.api.anthropic.Messages;
import dev.tandem.server.api.openai.ChatCompletions;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Caller;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.ModelCard;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import io.javalin.Javalin;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
 * The dialect edge's hot path with the model taken out: Tandem's OpenAI and Anthropic handlers on a
 * Javalin server on loopback, in front of a backend that answers at once with 16 text deltas. One
 * sample is one request from a JDK HTTP client: parsing and validating the dialect's JSON, building
 * the internal request, encoding the answer (JSON, or SSE frames in the dialect), and loopback HTTP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dlogback.configurationFile=bench-logback.xml"})
public class EdgeBench {
    private static final String MODEL = "tandem-bench";

    @Param({"OPENAI", "ANTHROPIC"})
    public RequestSpec.Dialect dialect;

    @Param({"true", "false"})
    public boolean stream;

    private Javalin app;
    private HttpDriver driver;
    private RequestSpec spec;

    /** Answers at once on the caller's thread: Started, 16 deltas, Finished. */
    record Instant() implements Backend {
        @Override
        public String name() {
            return "local";
        }

        @Override
        public Optional<String> cannotServe(InferenceRequest request) {
            return Optional.empty();
        }

        @Override
        public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
            sink.accept(new InferenceEvent.Started("local", request.model(), 8));
            for (int i = 0; i < 16; i++) {
                sink.accept(new InferenceEvent.TextDelta(" word" + i, null));
            }
            sink.accept(new InferenceEvent.Finished(StopReason.MAX_TOKENS, new TokenUsage(8, 16), null));
            return () -> { };
        }
    }

    @Setup(Level.Trial)
    public void start() {
        ServePath edge = new ServePath(new Instant(), () -> List.of(new ModelCard(MODEL, "tandem", 0, 2048)),
                new Bodies(4 << 20), ctx -> Caller.ANONYMOUS, 5000);
        app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.routes.post("/v1/chat/completions", edge.handler(new ChatCompletions(512)));
            cfg.routes.post("/v1/messages", edge.handler(new Messages()));
            cfg.routes.exception(ApiException.class, ErrorResponses::apiError);
        }).start("127.0.0.1", 0);
        driver = new HttpDriver(URI.create("http://127.0.0.1:" + app.port()), null, Duration.ofSeconds(10));
        spec = new RequestSpec(dialect, MODEL, stream, 16, "Say hello in a few words.");
        Outcome first = driver.call(spec);
        if (!first.ok() || first.outputTokens() != 16) {
            throw new IllegalStateException("the edge did not answer as expected: " + first);
        }
    }

    @Benchmark
    public Outcome request() {
        return driver.call(spec);
    }

    @TearDown(Level.Trial)
    public void stop() {
        app.stop();
    }
}
