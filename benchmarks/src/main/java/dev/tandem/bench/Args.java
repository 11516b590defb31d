package dev.tandem.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} and {@code --flag} command-line options, with defaults at the point of use. */
public final class Args {
    private final Map<String, String> values = new HashMap<>();

    public Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                values.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(name, args[++i]);
            } else {
                values.put(name, "true");
            }
        }
    }

    public String get(String name, String def) {
        return values.getOrDefault(name, def);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public int getInt(String name, int def) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : def;
    }

    public double getDouble(String name, double def) {
        return values.containsKey(name) ? Double.parseDouble(values.get(name)) : def;
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    /** "500ms", "10s", "2m"; a bare number is seconds. */
    public Duration duration(String name, Duration def) {
        String v = values.get(name);
        return v == null ? def : parseDuration(v);
    }

    public static Duration parseDuration(String v) {
        if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        if (v.endsWith("s")) return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
        if (v.endsWith("m")) return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000));
        return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
    }

    public List<String> list(String name, String def) {
        List<String> out = new ArrayList<>();
        for (String s : get(name, def).split(",")) {
            if (!s.isBlank()) out.add(s.trim());
        }
        return out;
    }
}
