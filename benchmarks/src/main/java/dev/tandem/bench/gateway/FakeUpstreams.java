package dev.tandem.bench.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.bench.Args;
import dev.tandem.testkit.FakeAnthropic;
import dev.tandem.testkit.FakeOpenAi;
import dev.tandem.testkit.FakeUpstream;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.Behaviour;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The fake Anthropic and OpenAI upstreams (the testkit's fakes) in their own process on
 * loopback, for the gateway, overflow and fault suites, with a small control endpoint that scripts
 * their faults while load runs:
 * <pre>
 *   POST {control}/fault?upstream=openai&amp;kind=status-500&amp;count=50[&amp;every=2]
 *   GET  {control}/stats     → "openai requests=N connections=M\nanthropic ..."
 * </pre>
 * kinds: status-429, status-500, status-503, status-529, slow-first-byte, stall, reset, malformed,
 * error-event. {@code every=k} scripts one fault then k-1 normal answers, {@code count} times.
 * Writes {@code openai=URL}, {@code anthropic=URL}, {@code control=URL}, {@code key=K} to
 * {@code --ports-file} and runs until killed or {@code --max-minutes} have passed.
 */
public final class FakeUpstreams {
    public static final String KEY = "sk-bench-fake-0123456789abcdef";

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Answer answer = Answer.text(args.get("answer", "Hello from the fake upstream, sixteen tokens of text in all here.").split("(?<= )"));
        try (FakeOpenAi openai = new FakeOpenAi(KEY); FakeAnthropic anthropic = new FakeAnthropic(KEY)) {
            // keep-alive like the real APIs: a connection per request would measure TCP set-up, not the gateway
            openai.keepAlive(true).answerByDefault(answer.withUsage(12, answer.textChunks().size()));
            anthropic.keepAlive(true).answerByDefault(answer.withUsage(12, answer.textChunks().size()));
            Map<String, FakeUpstream> fakes = new LinkedHashMap<>();
            fakes.put("openai", openai);
            fakes.put("anthropic", anthropic);
            HttpServer control = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            control.createContext("/fault", ex -> fault(ex, fakes));
            control.createContext("/clear", ex -> {
                FakeUpstream fake = fakes.get(query(ex.getRequestURI()).getOrDefault("upstream", "openai"));
                if (fake == null) {
                    reply(ex, 400, "unknown upstream");
                } else {
                    reply(ex, 200, "dropped " + fake.clearScript() + "\n");
                }
            });
            control.createContext("/stats", ex -> {
                StringBuilder sb = new StringBuilder();
                fakes.forEach((n, f) -> sb.append(n).append(" requests=").append(f.requests()).append(" connections=").append(f.connections()).append('\n'));
                reply(ex, 200, sb.toString());
            });
            control.start();
            String ports = "openai=" + openai.baseUrl() + "\nanthropic=" + anthropic.baseUrl()
                    + "\ncontrol=http://127.0.0.1:" + control.getAddress().getPort() + "\nkey=" + KEY + "\n";
            Path file = Path.of(args.get("ports-file", "fake-upstreams.properties"));
            Files.writeString(file, ports);
            System.out.print(ports);
            new CountDownLatch(1).await(args.getInt("max-minutes", 60), java.util.concurrent.TimeUnit.MINUTES);
            control.stop(0);
        }
    }

    private static void fault(HttpExchange ex, Map<String, FakeUpstream> fakes) throws IOException {
        Map<String, String> q = query(ex.getRequestURI());
        FakeUpstream fake = fakes.get(q.getOrDefault("upstream", "openai"));
        int count = Integer.parseInt(q.getOrDefault("count", "1"));
        int every = Integer.parseInt(q.getOrDefault("every", "1"));
        Behaviour fault;
        try {
            fault = behaviour(q.getOrDefault("kind", ""), fake.defaultAnswer());
        } catch (IllegalArgumentException e) {
            reply(ex, 400, e.getMessage());
            return;
        }
        if (fake == null) {
            reply(ex, 400, "unknown upstream");
            return;
        }
        for (int i = 0; i < count; i++) {
            fake.enqueue(fault);
            for (int k = 1; k < every; k++) {
                fake.enqueue(new FakeUpstream.Reply(fake.defaultAnswer()));
            }
        }
        reply(ex, 200, "scripted " + count + " × " + q.get("kind") + "\n");
    }

    static Behaviour behaviour(String kind, Answer a) {
        return switch (kind) {
            case "status-429" -> new FakeUpstream.Status(429, "rate_limit_error", "slow down", Map.of("retry-after", "1"));
            case "status-500" -> new FakeUpstream.Status(500, "api_error", "internal error", Map.of());
            case "status-503" -> new FakeUpstream.Status(503, "api_error", "unavailable", Map.of());
            case "status-529" -> new FakeUpstream.Status(529, "overloaded_error", "overloaded", Map.of());
            case "slow-first-byte" -> new FakeUpstream.SlowFirstByte(Duration.ofMillis(1500), a);
            case "stall" -> new FakeUpstream.StallMidStream(2, Duration.ofSeconds(5), a);
            case "reset" -> new FakeUpstream.ResetMidStream(2, a);
            case "malformed" -> new FakeUpstream.MalformedJson(2, a);
            case "error-event" -> new FakeUpstream.ErrorEvent(2, "overloaded_error", "overloaded mid-stream", a);
            default -> throw new IllegalArgumentException("unknown fault kind '" + kind + "'");
        };
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String kv : uri.getRawQuery().split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
