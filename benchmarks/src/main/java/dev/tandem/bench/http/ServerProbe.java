package dev.tandem.bench.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a soak run watches on the server: its resident memory and its queue figures in /metrics. */
public final class ServerProbe {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI base;
    private final long pid;
    private final String metricsKey;

    /** {@code pid} 0: memory not read (server in another namespace, or not known). */
    public ServerProbe(URI base, long pid) {
        this(base, pid, null);
    }

    /** @param metricsKey sent as a bearer token: Tandem's /metrics wants the master key unless {@code metrics.open} */
    public ServerProbe(URI base, long pid, String metricsKey) {
        this.base = base;
        this.pid = pid;
        this.metricsKey = metricsKey;
    }

    /** VmRSS of the server process in MiB from /proc, or -1 when unknown. */
    public double rssMiB() {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /**
     * Samples of /metrics whose names speak of the engine's queue or running sequences (Prometheus
     * text format: {@code name{labels} value}); empty when the endpoint is absent.
     */
    public Map<String, Double> queueMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            HttpRequest.Builder scrape = HttpRequest.newBuilder(base.resolve("/metrics")).timeout(Duration.ofSeconds(5)).GET();
            if (metricsKey != null && !metricsKey.isEmpty()) {
                scrape.header("authorization", "Bearer " + metricsKey);
            }
            HttpResponse<String> r = client.send(scrape.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return out;
            }
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String name = line.substring(0, line.lastIndexOf(' ')).trim();
                String lower = name.toLowerCase();
                if ((lower.contains("queue") || lower.contains("waiting") || lower.contains("running"))
                        && !lower.contains("_bucket") && !lower.contains("_created")) {
                    try {
                        out.put(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                    } catch (NumberFormatException ignored) {
                        // not a sample line
                    }
                }
            }
        } catch (IOException e) {
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}
