package dev.tandem.server.ops.metrics;

import dev.tandem.models.EngineLoad;
import dev.tandem.models.KvStats;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.ops.OutcomeListener;
import dev.tandem.server.ops.RequestOutcome;
import dev.tandem.server.ops.StoreObserver;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every Tandem series, in one registry of the Prometheus Java client. Request series come from
 * request outcomes; engine and circuit-breaker series are read from suppliers at scrape time.
 */
public final class TandemMetrics implements OutcomeListener, StoreObserver {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;
    private final Histogram timeToFirstToken;
    private final Histogram timePerOutputToken;
    private final Counter promptTokens;
    private final Counter completionTokens;
    private final Counter fallbacks;
    private final Counter upstreamErrors;
    private final Counter gateRejections;
    private final Counter rateLimitRejections;
    private final Counter cache;
    private final Counter cacheStoreErrors;
    private final Counter cacheWritesDropped;
    private final Histogram storeLatency;
    private final Counter storeErrors;

    /**
     * @param engineLoad the local engine's load, or null without a local engine
     * @param engineKv the local engine's KV-cache counters and block pool, or null without a local engine
     * @param breakerStates upstream name → its circuit state, or null without remotes
     */
    public TandemMetrics(Supplier<EngineLoad> engineLoad, Supplier<KvStats> engineKv, Supplier<Map<String, CircuitState>> breakerStates) {
        requests = Counter.builder().name("tandem_requests").help("Requests by inbound dialect, backend, route and status")
                .labelNames("dialect", "backend", "route", "status").register(registry);
        latency = Histogram.builder().name("tandem_request_duration_seconds").help("Time from start to the last event")
                .labelNames("dialect", "backend").classicOnly()
                .classicUpperBounds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120).register(registry);
        timeToFirstToken = Histogram.builder().name("tandem_time_to_first_token_seconds").help("Time to the first token")
                .labelNames("backend").classicOnly()
                .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30).register(registry);
        timePerOutputToken = Histogram.builder().name("tandem_time_per_output_token_seconds")
                .help("Time per output token after the first").labelNames("backend").classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1).register(registry);
        promptTokens = Counter.builder().name("tandem_prompt_tokens").help("Prompt tokens by backend")
                .labelNames("backend").register(registry);
        completionTokens = Counter.builder().name("tandem_completion_tokens").help("Completion tokens by backend")
                .labelNames("backend").register(registry);
        fallbacks = Counter.builder().name("tandem_fallbacks").help("Requests served by a fallback, by reason")
                .labelNames("reason").register(registry);
        upstreamErrors = Counter.builder().name("tandem_upstream_errors").help("Remote backend failures by type")
                .labelNames("backend", "type").register(registry);
        gateRejections = Counter.builder().name("tandem_gate_rejections").help("Requests refused by the gate")
                .labelNames("reason").register(registry);
        rateLimitRejections = Counter.builder().name("tandem_rate_limit_rejections")
                .help("Requests refused by a per-key limit (rpm, tpm, concurrency, budget)")
                .labelNames("limit").register(registry);
        cache = Counter.builder().name("tandem_cache_requests").help("Response cache lookups")
                .labelNames("result").register(registry);
        cacheStoreErrors = Counter.builder().name("tandem_cache_store_errors")
                .help("Failed calls to the shared answer cache (Redis); each request was served uncached").register(registry);
        cacheWritesDropped = Counter.builder().name("tandem_cache_writes_dropped")
                .help("Answers not written to the shared answer cache (Redis): its write queue was full, or it was "
                        + "resting after a lost connection").register(registry);
        storeLatency = Histogram.builder().name("tandem_store_operation_seconds")
                .help("Calls to the shared store (PostgreSQL) by operation: keys.*, ledger.*, limits.*, store.ping")
                .labelNames("operation").classicOnly()
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10).register(registry);
        storeErrors = Counter.builder().name("tandem_store_errors").help("Failed calls to the shared store by operation")
                .labelNames("operation").register(registry);
        if (engineLoad != null) {
            registerEngine(engineLoad);
        }
        if (engineKv != null) {
            registerKvCache(engineKv);
        }
        if (breakerStates != null) {
            GaugeWithCallback.builder().name("tandem_circuit_breaker_state")
                    .help("1 for each upstream's current circuit-breaker state").labelNames("upstream", "state")
                    .callback(cb -> breakerStates.get().forEach((upstream, state) -> {
                        for (CircuitState s : CircuitState.values()) {
                            cb.call(s == state ? 1 : 0, upstream, s.label());
                        }
                    }))
                    .register(registry);
        }
    }

    private void registerEngine(Supplier<EngineLoad> engineLoad) {
        Supplier<EngineLoad> load = whileLoaded(engineLoad);
        GaugeWithCallback.builder().name("tandem_engine_queue_depth").help("Requests waiting for a slot")
                .callback(cb -> ifLoaded(load, l -> cb.call(l.waiting()))).register(registry);
        GaugeWithCallback.builder().name("tandem_engine_running_sequences").help("Sequences being generated")
                .callback(cb -> ifLoaded(load, l -> cb.call(l.running()))).register(registry);
        GaugeWithCallback.builder().name("tandem_engine_batch_size").help("Sequences in the last decode step")
                .callback(cb -> ifLoaded(load, l -> cb.call(l.lastBatchSize()))).register(registry);
        GaugeWithCallback.builder().name("tandem_engine_kv_cache_tokens").help("KV-cache tokens by state")
                .labelNames("state")
                .callback(cb -> ifLoaded(load, l -> {
                    cb.call(l.kvTokensTotal() - l.kvTokensFree(), "used");
                    cb.call(l.kvTokensFree(), "free");
                })).register(registry);
        GaugeWithCallback.builder().name("tandem_engine_kv_cache_usage_ratio").help("Share of the KV cache in use")
                .callback(cb -> ifLoaded(load, l ->
                    cb.call(l.kvTokensTotal() == 0 ? 0 : (double) (l.kvTokensTotal() - l.kvTokensFree()) / l.kvTokensTotal())))
                .register(registry);
    }

    /** The prefix cache (vLLM's prefix_cache_queries / prefix_cache_hits, in tokens), evictions, preemptions, blocks. */
    private void registerKvCache(Supplier<KvStats> engineKv) {
        Supplier<KvStats> kv = whileLoaded(engineKv);
        CounterWithCallback.builder().name("tandem_engine_prefix_cache_queried_tokens")
                .help("Prompt tokens looked up in the prefix cache")
                .callback(cb -> ifLoaded(kv, s -> cb.call(s.prefixQueriedTokens()))).register(registry);
        CounterWithCallback.builder().name("tandem_engine_prefix_cache_hit_tokens")
                .help("Prompt tokens found in the prefix cache (not computed)")
                .callback(cb -> ifLoaded(kv, s -> cb.call(s.prefixHitTokens()))).register(registry);
        CounterWithCallback.builder().name("tandem_engine_kv_cache_evicted_blocks")
                .help("Cached KV blocks evicted (least recently used) to make room")
                .callback(cb -> ifLoaded(kv, s -> cb.call(s.evictedBlocks()))).register(registry);
        CounterWithCallback.builder().name("tandem_engine_preemptions")
                .help("Running sequences freed to make room, to be recomputed")
                .callback(cb -> ifLoaded(kv, s -> cb.call(s.preemptions()))).register(registry);
        GaugeWithCallback.builder().name("tandem_engine_kv_cache_blocks")
                .help("KV-cache blocks by state: held by sequences, or free (cached prefixes among them)").labelNames("state")
                .callback(cb -> ifLoaded(kv, s -> {
                    cb.call(s.blocks().used(), "used");
                    cb.call(s.blocks().free(), "free");
                })).register(registry);
    }

    /** No engine series while the model loads (the supplier refuses then), rather than a failed scrape. */
    private static <T> Supplier<T> whileLoaded(Supplier<T> supplier) {
        return () -> {
            try {
                return supplier.get();
            } catch (RuntimeException loading) {
                return null;
            }
        };
    }

    private static <T> void ifLoaded(Supplier<T> value, java.util.function.Consumer<T> use) {
        T v = value.get();
        if (v != null) {
            use.accept(v);
        }
    }

    @Override
    public void onOutcome(RequestOutcome o) {
        requests.labelValues(o.dialect(), o.backend(), o.routeLabel(), o.statusLabel()).inc();
        if (o.backend().equals("none")) {
            return;
        }
        latency.labelValues(o.dialect(), o.backend()).observe(seconds(o.total()));
        promptTokens.labelValues(o.backend()).inc(o.promptTokens());
        completionTokens.labelValues(o.backend()).inc(o.completionTokens());
        if (o.timeToFirstToken() != null) {
            timeToFirstToken.labelValues(o.backend()).observe(seconds(o.timeToFirstToken()));
            if (o.completionTokens() > 1) {
                double rest = seconds(o.total()) - seconds(o.timeToFirstToken());
                timePerOutputToken.labelValues(o.backend()).observe(Math.max(0, rest) / (o.completionTokens() - 1));
            }
        }
        if (o.route() != null && o.route().isFallback()) {
            fallbacks.labelValues(o.routeLabel()).inc();
        }
    }

    /** A remote backend failed (see {@link UpstreamErrorCounting}); {@code type} is the error kind. */
    public void upstreamError(String backend, String type) {
        upstreamErrors.labelValues(backend, type).inc();
    }

    @Override
    public void observe(String operation, long nanos, boolean failed) {
        storeLatency.labelValues(operation).observe(nanos / 1e9);
        if (failed) {
            storeErrors.labelValues(operation).inc();
        }
    }

    /** For the gate: "auth", "model", "store" (the shared store is away), or a limit: "rpm", "tpm", "concurrency", "budget". */
    public void gateRejected(String reason) {
        gateRejections.labelValues(reason).inc();
        if (!reason.equals("auth") && !reason.equals("model") && !reason.equals("store")) {
            rateLimitRejections.labelValues(reason).inc();
        }
    }

    public void cacheHit() {
        cache.labelValues("hit").inc();
    }

    public void cacheMiss() {
        cache.labelValues("miss").inc();
    }

    public void cacheStoreError() {
        cacheStoreErrors.inc();
    }

    /** An answer the shared cache did not write (queue full, or Redis resting after a failure). */
    public void cacheWriteDropped() {
        cacheWritesDropped.inc();
    }

    /** The Prometheus text format (version 0.0.4), as served on /metrics. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    private static double seconds(java.time.Duration d) {
        return d.toNanos() / 1e9;
    }
}
