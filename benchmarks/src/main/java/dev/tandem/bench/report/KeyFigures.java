package dev.tandem.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The headline table of a results directory: each figure the issue sets a target for, measured
 * against that target, read from the tools' {@code *.json} figures. {@code KeyFigures DIR} prints it.
 */
public final class KeyFigures {
    private KeyFigures() {}

    public static String table(Path dir) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (int t = 1; t <= 2; t++) {
            engineRows(rows, Figures.read(dir, "throughput-t" + t), Figures.read(dir.resolve("today"), "throughput-t" + t), t);
        }
        for (int t = 1; t <= 2; t++) {
            stepRows(rows, Figures.read(dir, "step-t" + t));
        }
        JsonNode prefix = Figures.read(dir, "prefix-cache");
        if (prefix != null) {
            double ratio = prefix.path("ratio").asDouble();
            rows.add(List.of(String.format("Time to first token, %d-token prompt with %d cached vs cold (%s, %s)",
                            prefix.path("promptTokens").asInt(), prefix.path("cachedTokens").asInt(), prefix.path("shape").asText(),
                            prefix.path("dtype").asText()),
                    String.format("%.1f%% (%s vs %s)", 100 * ratio, ms(prefix.path("cachedFirstTokenMs").asDouble()),
                            ms(prefix.path("coldFirstTokenMs").asDouble())),
                    "≤ 15%", verdict(ratio <= 0.15)));
        }
        JsonNode large = Figures.read(dir, "large-model");
        if (large != null) {
            double decode = large.path("decodeTokensPerSecond1").asDouble();
            double bound = large.path("boundTokensPerSecond").asDouble();
            rows.add(List.of(String.format("7B-class checkpoint (%.1f GB, %s): load, RSS peak / steady",
                            large.path("checkpointGB").asDouble(), large.path("dtype").asText()),
                    String.format("%.0f s, %.1f / %.1f GB", large.path("loadSeconds").asDouble(), large.path("rssPeakGB").asDouble(),
                            large.path("rssSteadyGB").asDouble()), "fits this machine's memory", "–"));
            rows.add(List.of(String.format("7B-class batch-1 decode, step alone, %d thread(s)", large.path("threads").asInt()),
                    String.format("%.2f tok/s = %.0f%% of the bound (%.2f tok/s)", decode, 100 * decode / bound, bound), "–", "–"));
        }
        JsonNode gw = Figures.read(dir, "gateway");
        if (gw != null) {
            double rate = gw.path("rate").asDouble();
            for (String k : new String[] {"json", "stream"}) {
                if (!gw.has(k + "AddedP50")) continue;
                double p50 = gw.path(k + "AddedP50").asDouble(), p99 = gw.path(k + "AddedP99").asDouble();
                rows.add(List.of(String.format("Gateway added latency, %s, at %.0f req/s (P50 / P95 / P99)", k, rate),
                        ms(p50) + " / " + ms(gw.path(k + "AddedP95").asDouble()) + " / " + ms(p99),
                        "P50 < 1 ms, P99 < 5 ms", verdict(p50 < 1 && p99 < 5)));
                double rps = gw.path(k + "SustainedRps").asDouble();
                long errors = gw.path(k + "Errors").asLong();
                rows.add(List.of("Gateway sustained rate, " + k, Markdown.num(rps, 1) + " req/s, " + errors + " errors",
                        String.format("%.0f req/s, 0 errors", rate), verdict(rps >= 0.95 * rate && errors == 0)));
            }
        }
        JsonNode ov = Figures.read(dir, "overflow");
        if (ov != null) {
            boolean seen = ov.path("overflowed").asInt() > 0;
            double decision = ov.path("decisionFirstTokenP50").asDouble(Double.NaN);
            rows.add(List.of("Overflow decision: overflowed − remote named via Tandem, first token (P50 / P99)",
                    ms(decision) + " / " + ms(ov.path("decisionFirstTokenP99").asDouble(Double.NaN))
                            + " (" + ov.path("overflowed").asInt() + " of " + ov.path("probes").asInt() + " probes overflowed)",
                    "< 1 ms", seen ? verdict(decision < 1) : "no overflow seen"));
            double detour = ov.path("addedFirstTokenP50").asDouble(Double.NaN);
            rows.add(List.of("Overflow detour: overflowed − fake direct, first token (P50 / P99)",
                    ms(detour) + " / " + ms(ov.path("addedFirstTokenP99").asDouble(Double.NaN))
                            + " (fake's own P50 " + ms(ov.path("remoteFirstTokenP50").asDouble(Double.NaN)) + ")",
                    "a few ms (issue 4)", seen ? verdict(detour < 5) : "no overflow seen"));
        }
        JsonNode soak = Figures.read(dir, "soak");
        if (soak != null) {
            long errors = soak.path("errors").asLong();
            rows.add(List.of("Soak errors", errors + " of " + soak.path("requests").asLong(), "0", verdict(errors == 0)));
            double first = soak.path("rssFirstWindowMiB").asDouble(), end = soak.path("rssEndMiB").asDouble();
            rows.add(List.of("Soak server RSS start → after first window → end",
                    Markdown.num(soak.path("rssStartMiB").asDouble(), 0) + " → " + Markdown.num(first, 0) + " → " + Markdown.num(end, 0) + " MiB",
                    "flat", first > 0 && end > 0 ? verdict(end <= first * 1.10) + " (end within 10% of first window)" : "not measured"));
            double maxQueue = soak.path("maxQueue").asDouble();
            int bound = soak.path("maxWaiting").asInt();
            rows.add(List.of("Soak max engine queue seen", maxQueue < 0 ? "not exposed" : Markdown.num(maxQueue, 0),
                    "≤ " + bound, maxQueue < 0 ? "–" : verdict(maxQueue <= bound)));
        }
        if (rows.isEmpty()) {
            return "";
        }
        return "## Headline figures against the targets\n\n"
                + Markdown.table(List.of("figure", "measured", "target", "verdict"), rows) + "\n";
    }

    /** Engine-level decode (through LocalEngine) per dtype; float32 against today's engine when its run is in {@code today/}. */
    private static void engineRows(List<List<String>> rows, JsonNode tp, JsonNode today, int threads) {
        if (tp == null) {
            return;
        }
        String shape = tp.path("shape").asText();
        if (threads == 1) {
            rows.add(List.of("Memory read bandwidth, 1 / 2 threads (streaming sum, best pass)",
                    Markdown.num(tp.path("bandwidthGBs1").asDouble(), 1) + " / " + Markdown.num(tp.path("bandwidthGBs2").asDouble(), 1) + " GB/s", "–", "–"));
            rows.add(List.of("Weight bytes read per decode token (" + shape + ", float32 / 16-bit)",
                    Markdown.num(tp.path("weightBytesPerToken").asLong() / 1e6, 1) + " / "
                            + Markdown.num(tp.path("weightBytesPerToken16").asLong() / 1e6, 1) + " MB", "–", "–"));
        }
        Map<String, Map<Integer, JsonNode>> byDtype = new LinkedHashMap<>();
        for (JsonNode r : tp.path("rows")) {
            byDtype.computeIfAbsent(r.path("dtype").asText(), k -> new TreeMap<>()).put(r.path("batch").asInt(), r);
        }
        byDtype.forEach((dtype, batches) -> {
            JsonNode one = batches.get(1);
            JsonNode eight = batches.get(8);
            boolean bf16 = dtype.equals("bfloat16");
            if (one != null) {
                double tps = one.path("tokensPerSecond").asDouble();
                double bound = one.path("boundTokensPerSecond").asDouble();
                double pct = 100 * tps / bound;
                rows.add(List.of(String.format("Batch-1 decode through the engine, %s, %s, %d thread(s)", shape, dtype, threads),
                        String.format("%.1f tok/s = %.0f%% of the bound (%.1f tok/s at %d-thread bandwidth)", tps, pct, bound, threads),
                        bf16 ? "≥ 50% of the bound" : "–", bf16 ? verdict(pct >= 50) : "–"));
            }
            StringBuilder agg = new StringBuilder();
            batches.forEach((batch, r) -> {
                if (batch > 1) {
                    agg.append(agg.length() == 0 ? "" : ", ").append("batch ").append(batch).append(": ")
                            .append(Markdown.num(r.path("tokensPerSecond").asDouble(), 1));
                }
            });
            if (agg.length() > 0) {
                rows.add(List.of(String.format("Aggregate decode tok/s through the engine, %s, %d thread(s)", dtype, threads), agg.toString(), "–", "–"));
            }
            if (one != null && eight != null) {
                double ratio = eight.path("tokensPerSecond").asDouble() / one.path("tokensPerSecond").asDouble();
                rows.add(List.of(String.format("8 streams vs batch 1, %s, %d thread(s)", dtype, threads),
                        String.format("%.2f×", ratio), bf16 ? "≥ 4.5×" : "–", bf16 ? verdict(ratio >= 4.5) : "–"));
            }
        });
        Map<Integer, JsonNode> f32 = byDtype.get("float32");
        if (today != null && f32 != null) {
            StringBuilder vs = new StringBuilder();
            boolean slower = false;
            for (JsonNode t : today.path("rows")) {
                JsonNode now = f32.get(t.path("batch").asInt());
                if (now != null) {
                    double ratio = now.path("tokensPerSecond").asDouble() / t.path("tokensPerSecond").asDouble();
                    slower |= ratio < 1;
                    vs.append(vs.length() == 0 ? "" : ", ").append("batch ").append(t.path("batch").asInt()).append(": ")
                            .append(String.format("%.2f×", ratio));
                }
            }
            rows.add(List.of(String.format("float32 decode through the engine vs today's NDArray engine, %d thread(s)", threads),
                    vs.toString(), "≥ 1× (no slower)", verdict(!slower)));
        }
    }

    /** The step alone: bfloat16 batch-1 decode against the bound, and a long prompt's prefill rate against a short one's. */
    private static void stepRows(List<List<String>> rows, JsonNode step) {
        if (step == null) {
            return;
        }
        int threads = step.path("threads").asInt();
        Map<String, Double> prefill128 = new LinkedHashMap<>();
        for (JsonNode r : step.path("rows")) {
            if (r.path("what").asText().equals("prefill 128")) {
                prefill128.put(r.path("dtype").asText(), r.path("tokensPerSecond").asDouble());
            }
        }
        for (JsonNode r : step.path("rows")) {
            String dtype = r.path("dtype").asText();
            String what = r.path("what").asText();
            double tps = r.path("tokensPerSecond").asDouble();
            if (what.equals("decode") && r.path("batch").asInt() == 1) {
                double pct = 100 * tps / r.path("boundTokensPerSecond").asDouble();
                boolean bf16 = dtype.equals("bfloat16");
                rows.add(List.of(String.format("Batch-1 decode, step alone, %s, %d thread(s)", dtype, threads),
                        String.format("%.1f tok/s = %.0f%% of the bound", tps, pct), bf16 ? "≥ 50% of the bound" : "–",
                        bf16 ? verdict(pct >= 50) : "–"));
            } else if (what.startsWith("prefill") && !what.equals("prefill 128") && prefill128.containsKey(dtype)) {
                double share = 100 * tps / prefill128.get(dtype);
                rows.add(List.of(String.format("Prefill of %s tokens vs 128, step alone, %s, %d thread(s)", what.substring(8), dtype, threads),
                        String.format("%.0f%% (%.0f vs %.0f tok/s)", share, tps, prefill128.get(dtype)), "≥ 40%", verdict(share >= 40)));
            }
        }
    }

    private static String ms(double v) {
        return Markdown.num(v, 2) + " ms";
    }

    private static String verdict(boolean met) {
        return met ? "met" : "not met";
    }

    public static void main(String[] args) throws IOException {
        System.out.print(table(Path.of(args.length > 0 ? args[0] : ".")));
    }
}
