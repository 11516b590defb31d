package dev.tandem.bench.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.bench.http.HttpDriver;
import dev.tandem.bench.http.LoadResult;
import dev.tandem.bench.http.Outcome;
import dev.tandem.bench.http.RequestSpec;
import dev.tandem.testkit.FakeOpenAi;
import dev.tandem.testkit.FakeUpstream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayToolsTest {

    @Test
    void pairedLoopSendsHalfOfItsSlotsToEachPath() {
        // Given the OpenAI fake as both "direct" and "through Tandem" (the paths differ only by name here)
        try (FakeOpenAi fake = new FakeOpenAi(FakeUpstreams.KEY)) {
            HttpDriver driver = new HttpDriver(URI.create(fake.baseUrl()), FakeUpstreams.KEY, Duration.ofSeconds(10));
            RequestSpec spec = new RequestSpec(RequestSpec.Dialect.OPENAI, "gpt-4o", true, 16, "hi");
            // When 0.5 s at 20 req/s per path
            LoadResult[] pair = GatewayOverhead.paired(driver, driver, spec, 20, Duration.ofMillis(500));
            // Then each path got its 10 requests, all answered in full
            assertThat(pair[0].ok()).isEqualTo(10);
            assertThat(pair[1].ok()).isEqualTo(10);
            assertThat(pair[0].latency().count()).isEqualTo(10);
            assertThat(fake.requests()).isEqualTo(20);
        }
    }

    @Test
    void everyScriptedFaultIsSeenByTheClientAsWhatItIs() {
        try (FakeOpenAi fake = new FakeOpenAi(FakeUpstreams.KEY)) {
            HttpDriver driver = new HttpDriver(URI.create(fake.baseUrl()), FakeUpstreams.KEY, Duration.ofSeconds(10));
            RequestSpec stream = new RequestSpec(RequestSpec.Dialect.OPENAI, "gpt-4o", true, 16, "hi");
            for (String kind : List.of("status-429", "status-500", "status-503", "status-529")) {
                fake.enqueue(FakeUpstreams.behaviour(kind, fake.defaultAnswer()));
                assertThat(driver.call(stream).kind()).isEqualTo(kind.substring(7));
            }
            for (String kind : List.of("reset", "malformed", "error-event")) {
                fake.enqueue(FakeUpstreams.behaviour(kind, fake.defaultAnswer()));
                Outcome o = driver.call(stream);
                assertThat(o.kind()).as(kind).isEqualTo("200+stream-error");
            }
            fake.enqueue(new FakeUpstream.Reply(fake.defaultAnswer()));
            assertThat(driver.call(stream).ok()).isTrue();
        }
    }
}
