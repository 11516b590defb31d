package dev.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.bench.engine.ConstrainedStepBench;
import dev.tandem.bench.engine.DecodeStepBench;
import dev.tandem.bench.engine.GenerationBench;
import dev.tandem.bench.engine.PrefillBench;
import dev.tandem.bench.hot.ConstrainedSamplingBench;
import dev.tandem.bench.hot.EdgeBench;
import dev.tandem.bench.hot.GrammarBench;
import dev.tandem.bench.hot.RoutingBench;
import dev.tandem.bench.hot.TokenizerBench;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Each JMH benchmark starts and produces a SampleTime result with percentiles, in-process (no fork),
 * no warm-up, one short iteration, on the tiny checkpoint. Not a measurement.
 */
class JmhSmokeTest {
    @TempDir
    static Path checkpoints;

    @BeforeAll
    static void useATemporaryCheckpointCache() {
        System.setProperty("tandem.bench.checkpoints", checkpoints.toString());
    }

    static Stream<Arguments> benchmarks() {
        return Stream.of(
                Arguments.of(DecodeStepBench.class, new String[] {"shape=tiny", "batch=2"}),
                Arguments.of(ConstrainedStepBench.class, new String[] {"shape=tiny", "batch=2", "constraint=tool"}),
                Arguments.of(GrammarBench.class, new String[] {"shape=tiny"}),
                Arguments.of(ConstrainedSamplingBench.class, new String[] {"shape=tiny", "constraint=tool"}),
                Arguments.of(GenerationBench.class, new String[] {"shape=tiny", "batch=2", "tokens=4"}),
                Arguments.of(PrefillBench.class, new String[] {"shape=tiny", "promptTokens=128"}),
                Arguments.of(EdgeBench.class, new String[] {"dialect=ANTHROPIC", "stream=true"}),
                Arguments.of(TokenizerBench.class, new String[] {"shape=tiny"}),
                Arguments.of(RoutingBench.class, new String[] {"scenario=overflow-saturated"}));
    }

    @ParameterizedTest
    @MethodSource("benchmarks")
    void startsAndReportsPercentiles(Class<?> benchmark, String[] params) throws Exception {
        assertRunsAndReportsPercentiles(benchmark, params);
    }

    @Test
    void aSmokeRunIsNotStoppedByAnotherJmhOnTheMachine() throws Exception {
        // Guards against a build failing because another build on the machine runs JMH: JMH keeps one
        // machine-wide lock file so that measurements do not overlap, and these runs measure nothing
        // (the benchmarks module's surefire sets jmh.ignoreLock).
        // Given JMH's lock held, as another JMH run holds it
        Path lockFile = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.tryLock()) {
            // (null: another process holds it already, which is the same situation)
            // When a smoke run starts, then it runs
            assertRunsAndReportsPercentiles(RoutingBench.class, new String[] {"scenario=local-primary"});
        }
    }

    private static void assertRunsAndReportsPercentiles(Class<?> benchmark, String[] params) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("\\." + benchmark.getSimpleName() + "\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(150))
                .shouldFailOnError(true)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT);
        for (String p : params) {
            String[] kv = p.split("=");
            options.param(kv[0], kv[1]);
        }
        Collection<RunResult> results = new Runner(options.build()).run();

        assertThat(results).isNotEmpty();
        for (RunResult r : results) {
            var metric = r.getPrimaryResult();
            assertThat(metric.getSampleCount()).isPositive();
            assertThat(metric.getScore()).isPositive();
            var stats = metric.getStatistics();
            assertThat(stats.getPercentile(50)).isPositive();
            assertThat(stats.getPercentile(99)).isGreaterThanOrEqualTo(stats.getPercentile(50));
        }
    }
}
