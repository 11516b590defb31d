package dev.tandem.server;

import java.util.ArrayList;
import java.util.List;

/** A parsed SSE stream: frames with their event name (null when absent) and data, comments dropped. */
public record Sse(List<Frame> frames) {

    public record Frame(String event, String data) {}

    public static Sse parse(String body) {
        List<Frame> frames = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            String event = null;
            StringBuilder data = null;
            for (String line : block.split("\n")) {
                if (line.startsWith(":") || line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                } else {
                    throw new IllegalStateException("not an SSE line: " + line);
                }
            }
            if (event != null || data != null) {
                frames.add(new Frame(event, data == null ? null : data.toString()));
            }
        }
        return new Sse(frames);
    }

    public List<String> events() {
        return frames.stream().map(Frame::event).toList();
    }

    public List<String> data() {
        return frames.stream().map(Frame::data).toList();
    }
}
