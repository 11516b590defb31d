package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.Engines;
import dev.tandem.server.ops.ledger.UsageRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that goes away before its answer is written cancels its generation at the engine's next
 * step, queued or running, streamed or not: its ledger row says cancelled, and the engine's slot is
 * free for the others. The clients here are raw sockets that close, as a client process that dies
 * does. One running sequence at a time, so that a second request waits in the queue; the requests
 * would generate thousands of tokens (ignore_eos) if nothing stopped them, so nothing here depends on
 * how fast the machine is: only cancellation ends them as "cancelled".
 */
class ClientDisconnectIT {
    private static final Duration PATIENCE = Duration.ofSeconds(60); // an upper bound, never a speed expected
    private static final int ENDLESS = 65_000; // all but the prompt of TestServer.hogContext()'s window

    @TempDir
    static Path dir;
    static TestServer server;

    @BeforeAll
    static void start() {
        // a window no test outlives: 8,000 tokens, as before, take a quarter of a minute on an idle machine, which a
        // loaded one can spend between two awaits; only the client going away may end these generations
        server = TestServer.start(dir, Map.of("engine.maxRunning", "1"), TestServer.hogContext(), Engines::open, true);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aNonStreamingRequestWhoseClientLeavesIsCancelledAtTheNextStep() throws Exception {
        // Given a non-streaming request that would run for thousands of tokens, running
        try (Socket client = send("/v1/completions", endless("gone-running", false))) {
            await(() -> server.engine().load().running() == 1, "the request runs");
        } // When its client goes away

        // Then the generation is cancelled, the ledger says so, and the slot is free
        UsageRecord row = await(() -> row("gone-running").filter(r -> r.status().equals("cancelled")), "a cancelled row");
        assertThat(row.completionTokens()).isLessThan(ENDLESS);
        await(() -> server.engine().load().running() == 0 && server.engine().load().waiting() == 0, "the engine is idle");
        assertThat(rows("gone-running")).hasSize(1);
    }

    @Test
    void queuedRequestsWhoseClientsLeaveNeverRunStreamedOrNot() throws Exception {
        // Given a request that holds the one slot, and two waiting behind it (one streamed, one not)
        try (Socket hog = send("/v1/completions", endless("hog", false))) {
            await(() -> server.engine().load().running() == 1, "the hog runs");
            try (Socket plain = send("/v1/chat/completions", chat("gone-queued", false));
                    Socket streamed = send("/v1/messages", messages("gone-queued-stream"))) {
                await(() -> server.engine().load().waiting() == 2, "two requests wait");
            } // When their clients go away

            // Then both leave the queue without generating a token, while the hog still runs
            assertThat(await(() -> row("gone-queued"), "a row for the plain one").status()).isEqualTo("cancelled");
            assertThat(await(() -> row("gone-queued-stream"), "a row for the streamed one").status()).isEqualTo("cancelled");
            assertThat(row("gone-queued").orElseThrow().completionTokens()).isZero();
            assertThat(row("gone-queued-stream").orElseThrow().completionTokens()).isZero();
            await(() -> server.engine().load().waiting() == 0, "the queue is empty");
            assertThat(server.engine().load().running()).isEqualTo(1);
            assertThat(row("hog")).isEmpty();
        } // and the hog's client goes away in turn
        assertThat(await(() -> row("hog"), "the hog's row").status()).isEqualTo("cancelled");
        await(() -> server.engine().load().running() == 0, "the engine is idle");
    }

    @Test
    void aClientThatStaysGetsItsAnswerOnAConnectionThatStaysUsable() throws Exception {
        // Guards the watch against taking what is not a disconnect: two requests, one after the other,
        // on one kept-alive connection, each answered in full
        try (Socket client = send("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"x\",\"max_tokens\":3}", "first")) {
            String first = readResponse(client);
            assertThat(first).startsWith("HTTP/1.1 200").contains("\"text_completion\"");
            client.getOutputStream().write(request("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"y\",\"max_tokens\":3}", "second"));
            assertThat(readResponse(client)).startsWith("HTTP/1.1 200").contains("\"text_completion\"");
        }
        assertThat(row("first").orElseThrow().status()).isEqualTo("ok");
        assertThat(row("second").orElseThrow().status()).isEqualTo("ok");
    }

    static String endless(String id, boolean stream) {
        return "{\"model\":\"tiny\",\"prompt\":\"" + id + "\",\"max_tokens\":" + ENDLESS + ",\"ignore_eos\":true,\"stream\":" + stream + "}";
    }

    static String chat(String id, boolean stream) {
        return "{\"model\":\"tiny\",\"max_tokens\":64,\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + id + "\"}]}";
    }

    static String messages(String id) {
        return "{\"model\":\"tiny\",\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + id + "\"}]}";
    }

    /** A client that sent {@code body} (its request id taken from the body's first word) and waits. */
    static Socket send(String path, String body) throws IOException {
        String id = body.replaceAll(".*\"(?:prompt|content)\":\"([^\"]+)\".*", "$1");
        return send(path, body, id);
    }

    static Socket send(String path, String body, String requestId) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.tandem().port());
        socket.setSoTimeout((int) PATIENCE.toMillis());
        OutputStream out = socket.getOutputStream();
        out.write(request(path, body, requestId));
        out.flush();
        return socket;
    }

    static byte[] request(String path, String body, String requestId) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-request-id: " + requestId
                + "\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }

    /** One whole response with a Content-Length body, read off the socket. */
    static String readResponse(Socket socket) throws IOException {
        var in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the response ended early: " + head).isNotNegative();
            head.append((char) b);
        }
        int length = Integer.parseInt(head.toString().replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    static List<UsageRecord> rows(String requestId) {
        return server.ledgerRows(requestId);
    }

    static Optional<UsageRecord> row(String requestId) {
        return rows(requestId).stream().findFirst();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(() -> condition.getAsBoolean() ? Optional.of(true) : Optional.empty(), what);
    }

    static <T> T await(java.util.function.Supplier<Optional<T>> probe, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("waited " + PATIENCE.toSeconds() + " s in vain for: " + what);
    }
}
