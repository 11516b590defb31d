package dev.tandem.bench.report;

import dev.tandem.bench.http.LoadResult;
import dev.tandem.bench.stats.Percentiles;
import java.util.List;
import java.util.Locale;

/** Markdown tables for the results files. */
public final class Markdown {
    private Markdown() {}

    public static String table(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| ").append(String.join(" | ", header)).append(" |\n");
        sb.append("|").append(" --- |".repeat(header.size())).append('\n');
        for (List<String> row : rows) {
            sb.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return sb.toString();
    }

    public static String num(double v, int decimals) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** "p50 / p95 / p99" in ms. */
    public static String pct(Percentiles p) {
        if (p.count() == 0) {
            return "–";
        }
        int d = p.p99() < 10 ? 2 : 1;
        return num(p.p50(), d) + " / " + num(p.p95(), d) + " / " + num(p.p99(), d);
    }

    public static String loadTable(List<LoadResult> results) {
        List<String> header = List.of("requests", "offered", "sent", "ok", "errors", "outcomes",
                "latency p50/p95/p99 ms", "TTFT p50/p95/p99 ms", "TPOT p50/p95/p99 ms", "req/s", "tok/s");
        List<List<String>> rows = results.stream().map(r -> List.of(
                r.label(), r.offered(), Long.toString(r.sent()), Long.toString(r.ok()), Long.toString(r.errors()),
                r.outcomes().toString().replace("|", "/"), pct(r.latency()), pct(r.ttft()), pct(r.tpot()),
                num(r.requestsPerSecond(), 1), num(r.tokensPerSecond(), 1))).toList();
        return table(header, rows);
    }
}
