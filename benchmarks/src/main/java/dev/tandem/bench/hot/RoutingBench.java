package dev.tandem.bench.hot;

import dev.tandem.models.EngineLoad;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.core.Role;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import dev.tandem.server.remote.RemoteBackends;
import dev.tandem.server.remote.RemoteConfig;
import dev.tandem.server.remote.RemotesConfig;
import dev.tandem.server.routing.Router;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The routing decision in isolation: {@link Router#start} for a request, with backends that answer
 * at once on the caller's thread (Started, one delta, Finished), so that what is timed is the
 * router's own work: policy narrowing, the route table, the load check and the chain walk.
 * Scenarios: a local request on an idle engine; an {@code auto} request overflowing because the
 * engine is saturated; a request naming a remote model.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-Dlogback.configurationFile=bench-logback.xml"})
public class RoutingBench {
    private static final String LOCAL = "tandem-bench";

    @Param({"local-primary", "overflow-saturated", "remote-model"})
    public String scenario;

    private Router router;
    private RemoteBackends remotes;
    private InferenceRequest request;
    private Blackhole blackhole;

    /** A backend that answers at once, for timing what happens around it. */
    record Instant(String name) implements Backend {
        @Override
        public Optional<String> cannotServe(InferenceRequest request) {
            return Optional.empty();
        }

        @Override
        public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
            sink.accept(new InferenceEvent.Started(name, request.model(), 3));
            sink.accept(new InferenceEvent.TextDelta("hi", null));
            sink.accept(new InferenceEvent.Finished(StopReason.END_TURN, new TokenUsage(3, 1), null));
            return () -> { };
        }
    }

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        blackhole = bh;
        boolean saturated = scenario.equals("overflow-saturated");
        EngineLoad load = saturated
                ? new EngineLoad(16, 64, 16, 64, 4096, 0, Duration.ofSeconds(30), 16)
                : new EngineLoad(0, 0, 16, 64, 4096, 4096, Duration.ZERO, 0);
        // An enabled OpenAI upstream on a closed loopback port: the hook below swaps it for an
        // instant backend, so no connection is ever made.
        TandemConfig defaults = ConfigLoader.defaultsOnly();
        RemoteConfig openai = defaults.remotes().get("openai").toBuilder()
                .withEnabled(true).withBaseUrl("http://127.0.0.1:9").withApiKey("sk-bench").build();
        Map<String, RemoteConfig> upstreams = new LinkedHashMap<>(defaults.remotes().upstreams());
        upstreams.put("openai", openai);
        remotes = new RemoteBackends(new RemotesConfig(upstreams), null);
        router = new Router(defaults.routing(), new Instant("local"), List.of(LOCAL), () -> load, remotes,
                new Router.Hooks(b -> new Instant(b.name()), null));
        String model = switch (scenario) {
            case "local-primary" -> LOCAL;
            case "overflow-saturated" -> "auto";
            case "remote-model" -> "gpt-4o";
            default -> throw new IllegalArgumentException(scenario);
        };
        request = InferenceRequest.builder("bench", Dialect.OPENAI, model,
                new Input.Chat(null, List.of(Message.text(Role.USER, "Say hello.")))).withStream(true).build();
        route(); // builds the remote backend on first use: not part of a routing decision
    }

    @Benchmark
    public Backend.Call route() {
        return router.start(request, blackhole::consume);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        remotes.close();
    }
}
