package dev.tandem.server.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events on a response. Frames are written as they come and leave at {@link #flush}: the
 * writer flushes whenever it would otherwise wait, so a burst of events goes out in one write and
 * nothing is held back while the stream is quiet. A failed write means the client went away.
 */
public final class Sse {
    private final OutputStream out;

    Sse(OutputStream out) {
        this.out = out;
    }

    /** {@code data: json} */
    public void data(String json) throws IOException {
        send("data: " + json + "\n\n");
    }

    /** {@code event: name} + {@code data: json} */
    public void event(String name, String json) throws IOException {
        send("event: " + name + "\ndata: " + json + "\n\n");
    }

    /** A comment line: clients skip it; it keeps the connection alive and reveals a gone client. */
    public void comment(String text) throws IOException {
        send(": " + text + "\n\n");
    }

    /** A whole frame, already formatted. */
    public void send(String frame) throws IOException {
        out.write(frame.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends what was written (and the headers, the first time). */
    public void flush() throws IOException {
        out.flush();
    }
}
