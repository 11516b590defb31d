package dev.tandem.server.ops.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.EngineLoad;
import dev.tandem.models.KvStats;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.RouteReason;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.ops.ObservingBackend;
import dev.tandem.server.ops.ScriptedBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TandemMetricsTest {

    @Test
    void requestSeriesMoveWithTraffic() {
        TandemMetrics metrics = new TandemMetrics(null, null, null);
        PromText before = PromText.parse(metrics.scrape());

        new ObservingBackend(ScriptedBackend.answering("local", "m", "abcd", 5), List.of(metrics))
                .start(Requests.chat("m", "hi").build(), e -> {});
        new ObservingBackend(ScriptedBackend.scripted("openai", r -> List.of(
                new InferenceEvent.Started("openai", "gpt", 3, RouteReason.SATURATED),
                new InferenceEvent.Failed(new ApiException(ErrorKind.UPSTREAM, "reset")))), List.of(metrics))
                .start(Requests.chat("m", "hi").build(), e -> {});
        new UpstreamErrorCounting(ScriptedBackend.scripted("openai", r -> List.of(
                new InferenceEvent.Started("openai", "gpt", 3),
                new InferenceEvent.Failed(new ApiException(ErrorKind.UPSTREAM, "reset")))), metrics)
                .start(Requests.chat("m", "hi").build(), e -> {});
        assertThatThrownBy(() -> new UpstreamErrorCounting(ScriptedBackend.refusing("openai",
                new ApiException(ErrorKind.OVERLOADED, "529")), metrics).start(Requests.chat("m", "hi").build(), e -> {}))
                .isInstanceOf(ApiException.class);
        metrics.gateRejected("rpm");
        metrics.gateRejected("auth");
        metrics.cacheHit();
        metrics.cacheMiss();
        metrics.cacheMiss();

        PromText after = PromText.parse(metrics.scrape());
        assertThat(before.value("tandem_requests_total", "dialect", "openai", "backend", "local", "route", "primary", "status", "ok")).isZero();
        assertThat(after.value("tandem_requests_total", "dialect", "openai", "backend", "local", "route", "primary", "status", "ok")).isEqualTo(1);
        assertThat(after.value("tandem_requests_total", "dialect", "openai", "backend", "openai", "route", "saturated", "status", "upstream")).isEqualTo(1);
        assertThat(after.value("tandem_prompt_tokens_total", "backend", "local")).isEqualTo(5);
        assertThat(after.value("tandem_completion_tokens_total", "backend", "local")).isEqualTo(4);
        assertThat(after.value("tandem_request_duration_seconds_count", "dialect", "openai", "backend", "local")).isEqualTo(1);
        assertThat(after.value("tandem_time_to_first_token_seconds_count", "backend", "local")).isEqualTo(1);
        assertThat(after.value("tandem_time_per_output_token_seconds_count", "backend", "local")).isEqualTo(1);
        assertThat(after.value("tandem_fallbacks_total", "reason", "saturated")).isEqualTo(1);
        assertThat(after.value("tandem_upstream_errors_total", "backend", "openai", "type", "upstream")).isEqualTo(1);
        assertThat(after.value("tandem_upstream_errors_total", "backend", "openai", "type", "overloaded")).isEqualTo(1);
        assertThat(after.value("tandem_rate_limit_rejections_total", "limit", "rpm")).isEqualTo(1);
        assertThat(after.value("tandem_gate_rejections_total", "reason", "auth")).isEqualTo(1);
        assertThat(after.value("tandem_cache_requests_total", "result", "hit")).isEqualTo(1);
        assertThat(after.value("tandem_cache_requests_total", "result", "miss")).isEqualTo(2);
        assertThat(after.types).containsEntry("tandem_request_duration_seconds", "histogram");
    }

    @Test
    void engineAndBreakerGaugesAreReadAtScrapeTime() {
        AtomicReference<EngineLoad> load = new AtomicReference<>(new EngineLoad(0, 0, 8, 32, 1000, 1000, Duration.ZERO, 0));
        AtomicReference<KvStats> kv = new AtomicReference<>(KvStats.NONE);
        AtomicReference<Map<String, CircuitState>> breakers = new AtomicReference<>(Map.of("anthropic", CircuitState.CLOSED));
        TandemMetrics metrics = new TandemMetrics(load::get, kv::get, breakers::get);

        load.set(new EngineLoad(3, 5, 8, 32, 1000, 250, Duration.ofMillis(40), 3));
        kv.set(new KvStats(400, 96, 7, 2, new KvStats.Blocks(16, 47, 16)));
        breakers.set(Map.of("anthropic", CircuitState.OPEN, "openai", CircuitState.HALF_OPEN));
        PromText p = PromText.parse(metrics.scrape());

        assertThat(p.value("tandem_engine_queue_depth")).isEqualTo(5);
        assertThat(p.value("tandem_engine_running_sequences")).isEqualTo(3);
        assertThat(p.value("tandem_engine_batch_size")).isEqualTo(3);
        assertThat(p.value("tandem_engine_kv_cache_tokens", "state", "used")).isEqualTo(750);
        assertThat(p.value("tandem_engine_kv_cache_usage_ratio")).isEqualTo(0.75);
        assertThat(p.value("tandem_engine_prefix_cache_queried_tokens_total")).isEqualTo(400);
        assertThat(p.value("tandem_engine_prefix_cache_hit_tokens_total")).isEqualTo(96);
        assertThat(p.value("tandem_engine_kv_cache_evicted_blocks_total")).isEqualTo(7);
        assertThat(p.value("tandem_engine_preemptions_total")).isEqualTo(2);
        assertThat(p.value("tandem_engine_kv_cache_blocks", "state", "used")).isEqualTo(47);
        assertThat(p.value("tandem_engine_kv_cache_blocks", "state", "free")).isEqualTo(16);
        assertThat(p.types).containsEntry("tandem_engine_prefix_cache_hit_tokens_total", "counter");
        assertThat(p.value("tandem_circuit_breaker_state", "upstream", "anthropic", "state", "open")).isEqualTo(1);
        assertThat(p.value("tandem_circuit_breaker_state", "upstream", "anthropic", "state", "closed")).isEqualTo(0);
        assertThat(p.value("tandem_circuit_breaker_state", "upstream", "openai", "state", "half_open")).isEqualTo(1);
    }

    @Test
    void theTestParserIsStrict() {
        assertThatThrownBy(() -> PromText.parse("x_total 1\n")).hasMessageContaining("without TYPE");
        assertThatThrownBy(() -> PromText.parse("# TYPE x counter\nx_total{a=\"1\" 1\n")).hasMessageContaining("not a sample");
        assertThatThrownBy(() -> PromText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n"))
                .hasMessageContaining("cumulative");
    }
}
