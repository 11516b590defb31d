package dev.tandem.server.ops.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Passthrough;
import dev.tandem.server.core.Sampling;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared cache's key computed in other JVMs: each new JVM orders Set.of / Map.of differently (a
 * random salt), so a key that leaned on their iteration order would differ between replicas.
 */
class CacheKeyAcrossJvmsTest {

    /** A request full of Set.of / Map.of, whose iteration order changes from one JVM to the next. */
    static InferenceRequest request() {
        return CacheKeyTest.base()
                .withSampling(Sampling.builder().withTemperature(0.0)
                        .withLogitBias(Map.of(1, 1.0, 2, -2.0, 3, 3.0, 40, 4.0, 500, -5.0, 6000, 6.0)).build())
                .withPassthrough(new Passthrough(Dialect.ANTHROPIC,
                        Map.of("thinking", "{}", "metadata", "{\"a\":1}", "context_management", "[]", "service_tier", "\"auto\""),
                        Set.of("thinking", "metadata", "context_management", "service_tier"), List.of("beta-1")))
                .build();
    }

    /** Prints the key's digest: run in a child JVM. */
    public static void main(String[] args) {
        System.out.print(CacheKey.of(request(), true).digest());
    }

    @Test
    void twoFreshJvmsComputeTheSameKeyAsThisOne() throws Exception {
        String here = CacheKey.of(request(), true).digest();
        for (int i = 0; i < 2; i++) {
            assertThat(digestInChildJvm()).as("child JVM %d", i).isEqualTo(here);
        }
    }

    static String digestInChildJvm() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"), CacheKeyAcrossJvmsTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out.trim();
    }
}
