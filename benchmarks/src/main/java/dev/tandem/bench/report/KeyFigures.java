package dev.tandem.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The headline table of a results directory: each figure the issue sets a target for, measured
 * against that target, read from the tools' {@code *.json} figures. {@code KeyFigures DIR} prints it.
 */
public final class KeyFigures {
    private KeyFigures() {}

    public static String table(Path dir) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        for (int t = 1; t <= 2; t++) {
            engineRows(rows, Figures.read(dir, "throughput-t" + t), t);
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

    private static void engineRows(List<List<String>> rows, JsonNode tp, int threads) {
        if (tp == null) {
            return;
        }
        String shape = tp.path("shape").asText();
        if (threads == 1) {
            rows.add(List.of("Memory read bandwidth, 1 / 2 threads (streaming sum, best pass)",
                    Markdown.num(tp.path("bandwidthGBs1").asDouble(), 1) + " / " + Markdown.num(tp.path("bandwidthGBs2").asDouble(), 1) + " GB/s", "–", "–"));
            rows.add(List.of("Weight bytes read per decode token (" + shape + ", float32)",
                    Markdown.num(tp.path("weightBytesPerToken").asLong() / 1e6, 1) + " MB", "–", "–"));
        }
        double one = Double.NaN, eight = Double.NaN, bound = Double.NaN, productsOne = Double.NaN, productsEight = Double.NaN;
        StringBuilder agg = new StringBuilder();
        for (JsonNode r : tp.path("rows")) {
            int batch = r.path("batch").asInt();
            double tps = r.path("tokensPerSecond").asDouble();
            double products = r.path("productsOnlyStepMs").asDouble(Double.NaN);
            if (batch == 1) {
                productsOne = products;
                one = tps;
                bound = r.path("boundTokensPerSecond").asDouble();
            } else {
                agg.append(agg.length() == 0 ? "" : ", ").append("batch ").append(batch).append(": ").append(Markdown.num(tps, 1));
            }
            if (batch == 8) {
                eight = tps;
                productsEight = products;
            }
        }
        if (!Double.isNaN(one)) {
            double pct = 100 * one / bound;
            rows.add(List.of(String.format("Batch-1 decode, %s, %d thread(s)", shape, threads),
                    String.format("%.1f tok/s = %.0f%% of the bound (%.1f tok/s at %d-thread bandwidth)", one, pct, bound, threads),
                    "≥ 80% of the bound", verdict(pct >= 80)));
        }
        if (agg.length() > 0) {
            rows.add(List.of(String.format("Aggregate decode tok/s, %d thread(s)", threads), agg.toString(), "–", "–"));
        }
        if (!Double.isNaN(one) && !Double.isNaN(eight)) {
            double ratio = eight / one;
            rows.add(List.of(String.format("8 streams vs batch 1, %d thread(s)", threads),
                    String.format("%.2f× (%.1f vs %.1f tok/s)", ratio, eight, one), "≥ 4×", verdict(ratio >= 4)));
        }
        if (!Double.isNaN(productsOne) && !Double.isNaN(bound)) {
            double ceiling = 1000 / productsOne;
            String atEight = Double.isNaN(productsEight) ? "" : String.format("; %.2f× at batch 8", 8 * productsOne / productsEight);
            rows.add(List.of(String.format("What the step's matrix products alone allow (PyTorch's kernels), %d thread(s)", threads),
                    String.format("%.1f tok/s = %.0f%% of the bound at batch 1%s", ceiling, 100 * ceiling / bound, atEight), "–", "–"));
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
