package dev.tandem.bench.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends {@link RequestSpec}s over loopback HTTP/1.1 and times them, reading SSE streams line by line
 * as they arrive (no thread per request) to catch the first token and count the rest.
 */
public final class HttpDriver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final URI base;
    private final String apiKey;
    private final Duration timeout;

    public HttpDriver(URI base, String apiKey, Duration timeout) {
        this.base = base;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    public URI base() {
        return base;
    }

    /** Sends now; times count from {@code dueNanos} (System.nanoTime of the scheduled start). */
    public CompletableFuture<Outcome> send(RequestSpec spec, long dueNanos) {
        HttpRequest.Builder b = HttpRequest.newBuilder(spec.uri(base))
                .timeout(timeout)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(spec.body()));
        if (spec.dialect() == RequestSpec.Dialect.ANTHROPIC) {
            b.header("anthropic-version", "2023-06-01");
        }
        if (apiKey != null && !apiKey.isEmpty()) {
            b.header("authorization", "Bearer " + apiKey);
            b.header("x-api-key", apiKey);
        }
        StreamReader reader = new StreamReader(spec, dueNanos);
        HttpResponse.BodyHandler<Void> handler = info -> {
            reader.headers(info.statusCode(), info.headers().firstValue("x-tandem-backend").orElse(null),
                    info.headers().firstValue("x-tandem-route").orElse(null));
            return HttpResponse.BodySubscribers.fromLineSubscriber(reader);
        };
        return client.sendAsync(b.build(), handler)
                .handle((response, failure) -> reader.outcome(failure));
    }

    /** Sends now and waits. */
    public Outcome call(RequestSpec spec) {
        return send(spec, System.nanoTime()).join();
    }

    @Override
    public void close() {
        // java.net.http.HttpClient has no close() before Java 21; its threads are daemons.
    }

    /** Reads the body line by line; for JSON bodies the lines are joined and parsed at the end. */
    private static final class StreamReader implements Flow.Subscriber<String> {
        private final RequestSpec spec;
        private final long due;
        private final StringBuilder body = new StringBuilder();
        private final AtomicReference<String> streamError = new AtomicReference<>();
        private volatile int status;
        private volatile String backend;
        private volatile String route;
        private volatile long firstByte = -1;
        private volatile long firstToken = -1;
        private volatile long end = -1;
        private int tokenEvents;
        private int usageTokens = -1;
        private boolean sawEnd;
        private String event = "";

        StreamReader(RequestSpec spec, long due) {
            this.spec = spec;
            this.due = due;
        }

        void headers(int statusCode, String backend, String route) {
            this.backend = backend;
            this.route = route;
            status = statusCode;
            firstByte = System.nanoTime() - due;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (!spec.stream() || status != 200) {
                body.append(line).append('\n');
                return;
            }
            if (line.startsWith("event:")) {
                event = line.substring(6).trim();
                if (event.equals("error")) {
                    streamError.compareAndSet(null, "error event");
                }
            } else if (line.startsWith("data:")) {
                data(line.substring(5).trim());
            }
        }

        private void data(String data) {
            if (data.equals("[DONE]")) {
                sawEnd = true;
                return;
            }
            JsonNode node;
            try {
                node = JSON.readTree(data);
            } catch (Exception e) {
                streamError.compareAndSet(null, "malformed event");
                return;
            }
            if (node.has("error") || "error".equals(node.path("type").asText())) {
                streamError.compareAndSet(null, "error event");
                return;
            }
            if (spec.dialect() == RequestSpec.Dialect.OPENAI) {
                JsonNode choices = node.path("choices");
                if (choices.size() > 0 && !choices.get(0).path("delta").path("content").asText("").isEmpty()) {
                    token();
                }
                if (node.path("usage").has("completion_tokens")) {
                    usageTokens = node.path("usage").path("completion_tokens").asInt();
                }
            } else {
                String type = node.path("type").asText(event);
                switch (type) {
                    case "content_block_delta" -> {
                        if (!node.path("delta").path("text").asText("").isEmpty()) {
                            token();
                        }
                    }
                    case "message_delta" -> {
                        if (node.path("usage").has("output_tokens")) {
                            usageTokens = node.path("usage").path("output_tokens").asInt();
                        }
                    }
                    case "message_stop" -> sawEnd = true;
                    default -> { }
                }
            }
        }

        private void token() {
            if (firstToken < 0) {
                firstToken = System.nanoTime() - due;
            }
            tokenEvents++;
        }

        @Override
        public void onError(Throwable t) {
            end = System.nanoTime() - due;
            streamError.compareAndSet(null, "stream broke: " + t.getClass().getSimpleName());
        }

        @Override
        public void onComplete() {
            end = System.nanoTime() - due;
        }

        Outcome outcome(Throwable failure) {
            long total = end >= 0 ? end : System.nanoTime() - due;
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                if (status == 200) { // the response began, then broke: what a client sees as a broken stream
                    return new Outcome(status, firstByte, firstToken, total, tokenEvents, tokenEvents,
                            "stream broke: " + cause.getClass().getSimpleName(), null, backend, route);
                }
                return new Outcome(status, firstByte, firstToken, total, 0, 0, null, cause.getClass().getSimpleName(), backend, route);
            }
            if (!spec.stream() || status != 200) {
                int tokens = status == 200 ? jsonUsage(body.toString()) : 0;
                long ft = status == 200 ? total : -1;
                return new Outcome(status, firstByte, ft, total, tokens, status == 200 ? 1 : 0, null, null, backend, route);
            }
            String broken = streamError.get();
            if (broken == null && !sawEnd) {
                broken = "truncated";
            }
            int tokens = usageTokens >= 0 ? usageTokens : tokenEvents;
            return new Outcome(status, firstByte, firstToken, total, tokens, tokenEvents, broken, null, backend, route);
        }

        private int jsonUsage(String json) {
            try {
                JsonNode usage = JSON.readTree(json).path("usage");
                return usage.path(spec.dialect() == RequestSpec.Dialect.OPENAI ? "completion_tokens" : "output_tokens").asInt(0);
            } catch (Exception e) {
                return 0;
            }
        }
    }
}
