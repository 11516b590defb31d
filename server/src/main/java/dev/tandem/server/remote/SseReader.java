package dev.tandem.server.remote;

import java.util.function.Consumer;

/**
 * Turns the lines of an upstream {@code text/event-stream} into events, as the SSE spec says:
 * {@code field: value} lines, several {@code data:} lines joined by newlines, a blank line ends an
 * event, {@code :} comment lines skipped. Not thread-safe: one reader per stream.
 */
final class SseReader {

    /** One event; {@code event} is null when the upstream sent only data (OpenAI). */
    record Event(String event, String data) {}

    private final Consumer<Event> onEvent;
    private String event;
    private StringBuilder data;

    SseReader(Consumer<Event> onEvent) {
        this.onEvent = onEvent;
    }

    void line(String line) {
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            dispatch();
            return;
        }
        if (line.startsWith(":")) {
            return;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event" -> event = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            default -> { } // id, retry and unknown fields do not matter to a one-shot reader
        }
    }

    /** The stream ended: an event without its blank line still counts. */
    void end() {
        dispatch();
    }

    private void dispatch() {
        if (data != null) {
            onEvent.accept(new Event(event, data.toString()));
        }
        event = null;
        data = null;
    }
}
