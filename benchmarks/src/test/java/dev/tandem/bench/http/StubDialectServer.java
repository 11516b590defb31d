package dev.tandem.bench.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * A loopback server that answers both dialects with three tokens, to test the client side of the
 * load tools on its own. The model name picks a behaviour: "busy" → 429, "broken" → an error event
 * mid-stream, "cut" → a stream that ends without its final event, "slow" → the usual answer after
 * {@link #SLOW}.
 */
final class StubDialectServer implements AutoCloseable {
    static final Duration SLOW = Duration.ofMillis(400);

    private final HttpServer server;

    StubDialectServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/v1/chat/completions", ex -> handle(ex, true));
        server.createContext("/v1/messages", ex -> handle(ex, false));
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange ex, boolean openai) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String model = body.replaceAll(".*\"model\":\"([^\"]*)\".*", "$1");
        boolean stream = body.contains("\"stream\":true");
        if (model.equals("slow")) {
            try {
                Thread.sleep(SLOW.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (model.equals("busy")) {
            send(ex, 429, "{\"error\":{\"message\":\"busy\"}}");
            return;
        }
        if (!stream) {
            send(ex, 200, openai
                    ? "{\"choices\":[{\"message\":{\"content\":\"a b c\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}"
                    : "{\"content\":[{\"type\":\"text\",\"text\":\"a b c\"}],\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}");
            return;
        }
        ex.getResponseHeaders().add("content-type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            if (openai) {
                event(out, "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}");
                for (String t : new String[] {"a", " b", " c"}) {
                    event(out, "data: {\"choices\":[{\"delta\":{\"content\":\"" + t + "\"}}]}");
                    if (model.equals("broken")) {
                        event(out, "data: {\"error\":{\"message\":\"upstream died\"}}");
                        return;
                    }
                }
                if (model.equals("cut")) return;
                event(out, "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}");
                event(out, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}");
                event(out, "data: [DONE]");
            } else {
                event(out, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}");
                event(out, "event: ping\ndata: {\"type\":\"ping\"}");
                for (String t : new String[] {"a", " b", " c"}) {
                    event(out, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + t + "\"}}");
                    if (model.equals("broken")) {
                        event(out, "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"x\"}}");
                        return;
                    }
                }
                if (model.equals("cut")) return;
                event(out, "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":3}}");
                event(out, "event: message_stop\ndata: {\"type\":\"message_stop\"}");
            }
        }
    }

    private static void event(OutputStream out, String lines) throws IOException {
        out.write((lines + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("content-type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
