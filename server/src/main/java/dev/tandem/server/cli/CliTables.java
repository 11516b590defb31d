package dev.tandem.server.cli;

import dev.tandem.server.core.Caller;
import dev.tandem.server.ops.keys.ApiKey;
import dev.tandem.server.ops.ledger.UsageTotal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Plain-text tables for the CLI: keys and usage totals, columns padded to fit. */
public final class CliTables {
    private CliTables() {}

    public static String keys(List<ApiKey> keys) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ID", "NAME", "POLICY", "MODELS", "RPM", "TPM", "CONCURRENT", "BUDGET_USD", "CREATED", "REVOKED"));
        for (ApiKey k : keys) {
            Caller.Limits l = k.limits();
            rows.add(List.of(k.id(), k.name(), orDash(k.policy() == null ? null : k.policy().wireName()),
                    l.allowedModels().isEmpty() ? "*" : String.join(",", l.allowedModels()), orDash(l.rpm()),
                    orDash(l.tpm()), orDash(l.maxConcurrent()), orDash(l.budgetUsd()), k.created().toString(),
                    orDash(k.revoked())));
        }
        return render(rows);
    }

    public static String usage(List<UsageTotal> totals) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("DAY", "KEY", "MODEL", "BACKEND", "REQUESTS", "PROMPT_TOKENS", "COMPLETION_TOKENS", "COST_USD"));
        long n = 0;
        long pt = 0;
        long ct = 0;
        double cost = 0;
        for (UsageTotal t : totals) {
            rows.add(List.of(t.day().toString(), t.keyId(), t.model(), t.backend(), Long.toString(t.requests()),
                    Long.toString(t.promptTokens()), Long.toString(t.completionTokens()), usd(t.costUsd())));
            n += t.requests();
            pt += t.promptTokens();
            ct += t.completionTokens();
            cost += t.costUsd();
        }
        rows.add(List.of("TOTAL", "", "", "", Long.toString(n), Long.toString(pt), Long.toString(ct), usd(cost)));
        return render(rows);
    }

    private static String usd(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String orDash(Object v) {
        return v == null ? "-" : v.toString();
    }

    private static String render(List<List<String>> rows) {
        int[] width = new int[rows.get(0).size()];
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (List<String> r : rows) {
            for (int i = 0; i < r.size(); i++) {
                b.append(String.format("%-" + width[i] + "s", r.get(i)));
                if (i < r.size() - 1) {
                    b.append("  ");
                }
            }
            b.append(System.lineSeparator());
        }
        return b.toString();
    }
}
