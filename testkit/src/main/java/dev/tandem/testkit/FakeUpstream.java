package dev.tandem.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process upstream on loopback, speaking HTTP/1.1 over a plain socket so that faults are real:
 * a reset is a TCP RST, a stall is a silent open connection. It counts connections and requests,
 * records what it received, and answers each request with the next scripted {@link Behaviour}
 * (the default answer when the script is empty). Subclasses speak one wire format.
 */
public abstract class FakeUpstream implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What the fake does with one request. */
    public sealed interface Behaviour {}

    /** A normal answer, streamed when the request asked for a stream. */
    public record Reply(Answer answer) implements Behaviour {}

    /** An error status with the wire format's error body, e.g. 429 with {@code retry-after: 1}. */
    public record Status(int status, String errorType, String message, Map<String, String> headers) implements Behaviour {}

    /** Waits before sending anything (not even headers), then answers. */
    public record SlowFirstByte(Duration delay, Answer answer) implements Behaviour {}

    /*
     * The mid-stream faults below hit a request that asked for one JSON answer (no stream) in the same
     * way: the body stops halfway, is cut short, or is the error.
     */

    /** Streams {@code afterTextChunks} text chunks, then says nothing for {@code stall}, then closes abruptly. */
    public record StallMidStream(int afterTextChunks, Duration stall, Answer answer) implements Behaviour {}

    /** Streams {@code afterTextChunks} text chunks, then resets the connection (TCP RST). */
    public record ResetMidStream(int afterTextChunks, Answer answer) implements Behaviour {}

    /** A 200 stream whose next event after {@code afterTextChunks} chunks is not JSON (unstreamed: half the JSON body). */
    public record MalformedJson(int afterTextChunks, Answer answer) implements Behaviour {}

    /** A 200 stream with an error event after {@code afterTextChunks} text chunks (unstreamed: a 200 whose body is the error). */
    public record ErrorEvent(int afterTextChunks, String errorType, String message, Answer answer) implements Behaviour {}

    /** A normal stream with {@code gap} between frames (a slow model, not a stalled one; unstreamed: the answer after all the gaps). */
    public record Trickle(Duration gap, Answer answer) implements Behaviour {}

    /** A tool call in an answer; {@code argumentParts} joined make the JSON arguments. */
    public record ToolCall(String id, String name, List<String> argumentParts) {
        public String argumentsJson() {
            return String.join("", argumentParts);
        }
    }

    /** Claude's thinking before the answer: its text in chunks, and the signature that ends the block. */
    public record Thinking(List<String> chunks, String signature) {
        public String text() {
            return String.join("", chunks);
        }
    }

    /**
     * What the model "says". {@code stop} is in the fake's own vocabulary (Anthropic stop_reason or
     * OpenAI finish_reason); null for the natural end. {@code thinking}: null for none (only the
     * Anthropic fake says it).
     */
    public record Answer(List<String> textChunks, List<ToolCall> toolCalls, String stop, String stopSequence,
                         int inputTokens, int outputTokens, Thinking thinking) {
        public static Answer text(String... chunks) {
            return new Answer(List.of(chunks), List.of(), null, null, 12, chunks.length, null);
        }

        public Answer withUsage(int input, int output) {
            return new Answer(textChunks, toolCalls, stop, stopSequence, input, output, thinking);
        }

        public Answer withStop(String v, String sequence) {
            return new Answer(textChunks, toolCalls, v, sequence, inputTokens, outputTokens, thinking);
        }

        public Answer withToolCalls(ToolCall... calls) {
            return new Answer(textChunks, List.of(calls), stop, stopSequence, inputTokens, outputTokens, thinking);
        }

        public Answer withThinking(Thinking v) {
            return new Answer(textChunks, toolCalls, stop, stopSequence, inputTokens, outputTokens, v);
        }

        public String fullText() {
            return String.join("", textChunks);
        }
    }

    /** A request as it arrived. Header names lower-case. */
    public record Received(String method, String path, Map<String, String> headers, String body, long atNanos) {}

    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Queue<Behaviour> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Answer defaultAnswer = Answer.text("Hello", " from", " upstream.").withUsage(14, 5);
    private volatile boolean closed;
    private volatile boolean keepAlive;
    protected final String apiKey;

    protected FakeUpstream(String apiKey) {
        this.apiKey = apiKey;
        try {
            server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        acceptor = new Thread(this::acceptLoop, getClass().getSimpleName() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** The key this fake accepts. */
    public String apiKey() {
        return apiKey;
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    public int requests() {
        return received.size();
    }

    public List<Received> received() {
        return Collections.unmodifiableList(new ArrayList<>(received));
    }

    public Received lastRequest() {
        return received.get(received.size() - 1);
    }

    /** The next requests get these behaviours, in order; then the default answer. */
    public FakeUpstream enqueue(Behaviour... behaviours) {
        script.addAll(List.of(behaviours));
        return this;
    }

    /** Drops what is still scripted (back to the default answer); returns how many were dropped. */
    public int clearScript() {
        int dropped = 0;
        while (script.poll() != null) {
            dropped++;
        }
        return dropped;
    }

    /**
     * Serves many requests per connection, as real upstreams do (the benchmarks' setting). Off by
     * default: one request per connection keeps the tests' connection counts exact.
     */
    public FakeUpstream keepAlive(boolean on) {
        keepAlive = on;
        return this;
    }

    public FakeUpstream answerByDefault(Answer answer) {
        defaultAnswer = answer;
        return this;
    }

    public Answer defaultAnswer() {
        return defaultAnswer;
    }

    protected String nextId() {
        return String.format("%024x", 0x5eed00L + ids.incrementAndGet());
    }

    // --- the wire format, per subclass ---

    /** True when the request is for this fake's endpoint. */
    protected abstract boolean handles(String method, String path);

    /** Checks auth and required fields; an error Status to send, or null when fine. */
    protected abstract Status validate(Received request);

    /** The SSE frames of an answer; {@code fault} (may be null) decides where the stream breaks. */
    protected abstract List<String> streamFrames(Received request, Answer answer);

    /** The frame reporting an error mid-stream. */
    protected abstract String errorFrame(String errorType, String message);

    /** A non-streaming JSON answer. */
    protected abstract String jsonAnswer(Received request, Answer answer);

    protected abstract String errorBody(String errorType, String message);

    /** Response headers every answer carries (request ids and the like). */
    protected abstract Map<String, String> responseHeaders();

    /** Text found only in the frames that carry a text chunk. */
    protected abstract String textChunkMarker();

    /**
     * How many of {@code frames} come up to and including the {@code n}-th text chunk (the index to
     * break at); with n = 0, just the first frame; past the last chunk, all but the closing two.
     */
    protected int indexAfterTextChunks(List<String> frames, int n) {
        if (n == 0) {
            return 1;
        }
        int seen = 0;
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).contains(textChunkMarker()) && ++seen == n) {
                return i + 1;
            }
        }
        return frames.size() - 2;
    }

    /** Both APIs stream when the body says {@code "stream": true}. */
    protected boolean wantsStream(String body) {
        return json(body).path("stream").asBoolean(false);
    }

    /** The model the request names, or {@code fallback}. */
    protected static String model(Received request, String fallback) {
        return json(request.body()).path("model").asText(fallback);
    }

    /** A request body as JSON; a missing node when it is not JSON (the fakes then answer as if unset). */
    protected static JsonNode json(String body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            return node == null ? MissingNode.getInstance() : node;
        } catch (IOException notJson) {
            return MissingNode.getInstance();
        }
    }

    // --- plumbing ---

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                open.add(socket);
                Thread t = new Thread(() -> serve(socket), getClass().getSimpleName() + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    continue;
                }
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true); // one segment per event, as a real streaming server sends them
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            do {
                String requestLine = readLine(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                String[] parts = requestLine.split(" ");
                Map<String, String> headers = new LinkedHashMap<>();
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                    }
                }
                int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                Received request = new Received(parts[0], parts[1], headers, body, System.nanoTime());
                received.add(request);
                respond(socket, out, request);
            } while (keepAlive && !socket.isClosed() && !closed);
        } catch (IOException | InterruptedException e) {
            // the client went away or the fake is closing: nothing to do
        } finally {
            open.remove(socket);
        }
    }

    private void respond(Socket socket, OutputStream out, Received request) throws IOException, InterruptedException {
        if (!handles(request.method(), request.path())) {
            sendStatus(out, new Status(404, "not_found_error", "Not found: " + request.path(), Map.of()));
            return;
        }
        Status invalid = validate(request);
        if (invalid != null) {
            sendStatus(out, invalid);
            return;
        }
        Behaviour behaviour = script.poll();
        if (behaviour == null) {
            behaviour = new Reply(defaultAnswer);
        }
        boolean stream = wantsStream(request.body());
        if (behaviour instanceof Status s) {
            sendStatus(out, s);
        } else if (behaviour instanceof Reply r) {
            answer(out, request, r.answer(), stream);
        } else if (behaviour instanceof SlowFirstByte s) {
            Thread.sleep(s.delay().toMillis());
            answer(out, request, s.answer(), stream);
        } else if (!stream && behaviour instanceof StallMidStream s) {
            halfAnswer(out, request, s.answer(), true);
            Thread.sleep(s.stall().toMillis());
            reset(socket);
        } else if (!stream && behaviour instanceof ResetMidStream r) {
            halfAnswer(out, request, r.answer(), true);
            Thread.sleep(20); // let the client read what was sent before the RST
            reset(socket);
        } else if (!stream && behaviour instanceof MalformedJson m) {
            halfAnswer(out, request, m.answer(), false);
        } else if (!stream && behaviour instanceof Trickle t) {
            Thread.sleep(t.gap().toMillis() * streamFrames(request, t.answer()).size());
            answer(out, request, t.answer(), false);
        } else if (!stream && behaviour instanceof ErrorEvent e) {
            byte[] body = errorBody(e.errorType(), e.message()).getBytes(StandardCharsets.UTF_8);
            writeHead(out, 200, "application/json", Map.of("content-length", String.valueOf(body.length)));
            out.write(body);
            out.flush();
        } else if (behaviour instanceof StallMidStream s) {
            List<String> frames = streamFrames(request, s.answer());
            int cut = indexAfterTextChunks(frames, s.afterTextChunks());
            startStream(out);
            writeFrames(out, frames.subList(0, cut));
            Thread.sleep(s.stall().toMillis());
            reset(socket);
        } else if (behaviour instanceof ResetMidStream r) {
            List<String> frames = streamFrames(request, r.answer());
            startStream(out);
            writeFrames(out, frames.subList(0, indexAfterTextChunks(frames, r.afterTextChunks())));
            Thread.sleep(20); // let the client read what was sent before the RST
            reset(socket);
        } else if (behaviour instanceof MalformedJson m) {
            List<String> frames = new ArrayList<>(streamFrames(request, m.answer()));
            frames.add(indexAfterTextChunks(frames, m.afterTextChunks()), "data: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_del\n\n");
            startStream(out);
            writeFrames(out, frames);
            endChunks(out);
        } else if (behaviour instanceof Trickle t) {
            startStream(out);
            for (String frame : streamFrames(request, t.answer())) {
                Thread.sleep(t.gap().toMillis());
                writeFrames(out, List.of(frame));
            }
            endChunks(out);
        } else if (behaviour instanceof ErrorEvent e) {
            List<String> frames = streamFrames(request, e.answer());
            startStream(out);
            writeFrames(out, frames.subList(0, indexAfterTextChunks(frames, e.afterTextChunks())));
            writeFrames(out, List.of(errorFrame(e.errorType(), e.message())));
            endChunks(out);
        }
    }

    private void answer(OutputStream out, Received request, Answer answer, boolean stream) throws IOException {
        if (stream) {
            startStream(out);
            writeFrames(out, streamFrames(request, answer));
            endChunks(out);
        } else {
            byte[] body = jsonAnswer(request, answer).getBytes(StandardCharsets.UTF_8);
            writeHead(out, 200, "application/json", Map.of("content-length", String.valueOf(body.length)));
            out.write(body);
            out.flush();
        }
    }

    /**
     * The first half of a JSON answer: {@code promiseAll} announces the whole length (the body is then
     * cut short), otherwise the half is the whole body (complete, but not JSON).
     */
    private void halfAnswer(OutputStream out, Received request, Answer answer, boolean promiseAll) throws IOException {
        byte[] body = jsonAnswer(request, answer).getBytes(StandardCharsets.UTF_8);
        int half = body.length / 2;
        writeHead(out, 200, "application/json", Map.of("content-length", String.valueOf(promiseAll ? body.length : half)));
        out.write(body, 0, half);
        out.flush();
    }

    private void sendStatus(OutputStream out, Status s) throws IOException {
        byte[] body = errorBody(s.errorType(), s.message()).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>(s.headers());
        headers.put("content-length", String.valueOf(body.length));
        writeHead(out, s.status(), "application/json", headers);
        out.write(body);
        out.flush();
    }

    private void startStream(OutputStream out) throws IOException {
        writeHead(out, 200, "text/event-stream; charset=utf-8", Map.of("transfer-encoding", "chunked", "cache-control", "no-cache"));
    }

    private void writeHead(OutputStream out, int status, String contentType, Map<String, String> extra) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        head.append("content-type: ").append(contentType).append("\r\n");
        head.append(keepAlive ? "connection: keep-alive\r\n" : "connection: close\r\n");
        responseHeaders().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        extra.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void writeFrames(OutputStream out, List<String> frames) throws IOException {
        for (String frame : frames) {
            byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    private static void endChunks(OutputStream out) throws IOException {
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void reset(Socket socket) throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return b == -1 && line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 529 -> "Overloaded";
            default -> "Status";
        };
    }

    /** SSE text of one event: an optional {@code event:} line, one {@code data:} line, a blank line. */
    protected static String sse(String event, String data) {
        return (event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
