package dev.tandem.server.ops.metrics;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text format 0.0.4 for tests: every line must be a HELP, a
 * TYPE or a sample of a declared family; label values are unescaped; histograms must have
 * cumulative buckets ending in +Inf equal to _count. Samples keyed as {@code name{a="x",b="y"}}
 * with labels sorted.
 */
public final class PromText {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)( -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    public final Map<String, String> types = new HashMap<>();
    public final Map<String, Double> samples = new LinkedHashMap<>();

    public static PromText parse(String text) {
        PromText p = new PromText();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String name = line.substring(7).split(" ", 2)[0];
                require(NAME.matcher(name).matches(), n, "bad HELP name " + name);
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                require(parts.length == 2 && NAME.matcher(parts[0]).matches(), n, "bad TYPE " + line);
                require(java.util.Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(parts[1]), n,
                        "unknown type " + parts[1]);
                require(p.types.put(parts[0], parts[1]) == null, n, "family declared twice " + parts[0]);
            } else if (line.startsWith("#")) {
                continue;
            } else {
                Matcher m = SAMPLE.matcher(line);
                require(m.matches(), n, "not a sample: " + line);
                String name = m.group(1);
                require(p.familyOf(name) != null, n, "sample without TYPE: " + name);
                Map<String, String> labels = new TreeMap<>();
                if (m.group(3) != null && !m.group(3).isEmpty()) {
                    Matcher l = LABEL.matcher(m.group(3));
                    int end = 0;
                    while (l.find() && l.start() == end) {
                        labels.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
                        end = l.end();
                    }
                    require(end == m.group(3).length(), n, "bad labels: " + m.group(3));
                }
                double value = switch (m.group(4)) {
                    case "+Inf" -> Double.POSITIVE_INFINITY;
                    case "-Inf" -> Double.NEGATIVE_INFINITY;
                    case "NaN" -> Double.NaN;
                    default -> Double.parseDouble(m.group(4));
                };
                String key = key(name, labels);
                require(p.samples.put(key, value) == null, n, "duplicate series " + key);
            }
        }
        p.checkHistograms();
        return p;
    }

    private String familyOf(String sample) {
        if (types.containsKey(sample)) {
            return sample;
        }
        for (String suffix : new String[] {"_total", "_bucket", "_count", "_sum", "_created"}) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                if (types.containsKey(base)) {
                    return base;
                }
            }
        }
        return null;
    }

    private void checkHistograms() {
        types.forEach((family, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            Map<String, TreeMap<Double, Double>> bySeries = new HashMap<>();
            samples.forEach((k, v) -> {
                if (k.startsWith(family + "_bucket{")) {
                    String le = k.replaceAll(".*le=\"([^\"]*)\".*", "$1");
                    String rest = k.substring((family + "_bucket").length()).replaceAll(",?le=\"[^\"]*\"", "").replace("{,", "{");
                    bySeries.computeIfAbsent(rest, x -> new TreeMap<>())
                            .put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), v);
                }
            });
            bySeries.forEach((series, buckets) -> {
                double last = 0;
                for (double c : buckets.values()) {
                    require(c >= last, 0, "buckets not cumulative in " + family + series);
                    last = c;
                }
                require(buckets.containsKey(Double.POSITIVE_INFINITY), 0, "no +Inf bucket in " + family + series);
                Double count = samples.get(family + "_count" + (series.equals("{}") ? "" : series));
                require(count != null && count == last, 0, "_count differs from +Inf bucket in " + family + series);
            });
        });
    }

    public static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('{');
        new TreeMap<>(labels).forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /** The value of a series, 0 when absent (a counter not yet touched). */
    public double value(String name, String... labelPairs) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        return samples.getOrDefault(key(name, labels), 0.0);
    }

    private static void require(boolean ok, int line, String what) {
        if (!ok) {
            throw new IllegalArgumentException("line " + line + ": " + what);
        }
    }
}
