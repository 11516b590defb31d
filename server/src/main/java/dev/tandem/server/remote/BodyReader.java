package dev.tandem.server.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;

/**
 * Reads the lines of a 2xx body: an event stream, or one JSON answer. Throws {@link UpstreamFailure}
 * when the body is an error or cannot be read. Not thread-safe: one reader per body.
 */
interface BodyReader {

    void line(String line);

    /** The body ended. */
    void end();

    /** An event stream, event by event, into {@code translator}. */
    static BodyReader events(StreamTranslator translator) {
        SseReader sse = new SseReader(translator::onEvent);
        return new BodyReader() {
            @Override
            public void line(String line) {
                sse.line(line);
            }

            @Override
            public void end() {
                sse.end();
                translator.onEnd();
            }
        };
    }

    /**
     * One JSON answer, parsed when the body has ended. It comes through the same line subscriber as a
     * stream, so the idle watchdog and cancellation treat both alike. Its lines are joined with
     * newlines: outside strings JSON allows them, inside strings it does not, so nothing is changed.
     */
    static BodyReader reply(String upstream, Consumer<JsonNode> onReply) {
        StringBuilder text = new StringBuilder();
        return new BodyReader() {
            @Override
            public void line(String line) {
                text.append(line).append('\n');
            }

            @Override
            public void end() {
                onReply.accept(UpstreamJson.parse(upstream, text.toString()));
            }
        };
    }
}
