package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import io.javalin.http.Context;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one streamed response: nothing is written until the first {@code Started} (so a refusal is
 * still a plain error response with its status), then the dialect's frames, a keep-alive while
 * nothing else is said, and an error frame if a call fails after the stream began. Frames are flushed
 * whenever no further event is at hand (before waiting), every {@value #FLUSH_EVERY} frames and at the
 * end: the events of one upstream read leave in one write, and none waits for the next. A client that
 * goes away cancels the calls: noticed by a failed write, or, before anything is written (while the
 * request waits in the engine's queue, say), by the {@link ClientWatch}.
 */
public final class Streaming {
    private static final Logger log = LoggerFactory.getLogger(Streaming.class);
    /** A writer that never finds the queue empty (a fast model, many choices) still sends this often. */
    private static final int FLUSH_EVERY = 16;

    /** What a dialect writes at each point of a stream. */
    public interface Format {
        /** Right after the headers, for the first Started of the group. */
        void begin(Sse out, InferenceEvent.Started first) throws IOException;

        /** Every event of choice {@code index} (its Started included), except Failed. */
        void event(Sse out, int index, InferenceEvent event) throws IOException;

        /** Nothing happened for a while. */
        void ping(Sse out) throws IOException;

        /** Every call has finished. */
        void end(Sse out) throws IOException;

        /** A call failed after the stream began: the frame that ends the stream, in the dialect's error shape by default. */
        default void failed(Sse out, ApiException error, ErrorFormat errors) throws IOException {
            out.send(errors.streamError(error));
        }
    }

    private Streaming() {}

    public static void run(Context ctx, CallGroup group, Format format, ErrorFormat errors, long pingMs) {
        String requestId = RequestIds.of(ctx);
        try (ClientWatch watch = ClientWatch.start(ctx, () -> {
            log.info("request {}: the client went away; cancelling", requestId);
            group.abandon();
        })) {
            stream(ctx, group, format, errors, pingMs);
        }
    }

    private static void stream(Context ctx, CallGroup group, Format format, ErrorFormat errors, long pingMs) {
        Sse out = null;
        int unflushed = 0;
        try {
            while (!group.done()) {
                CallGroup.Indexed next = unflushed < FLUSH_EVERY ? group.pollNow() : null;
                if (next == null) {
                    if (out != null) {
                        out.flush();
                    }
                    unflushed = 0;
                    next = group.poll(pingMs);
                }
                if (next == null) {
                    if (out != null) {
                        format.ping(out);
                    }
                    continue;
                }
                InferenceEvent event = next.event();
                if (event instanceof InferenceEvent.Failed failed) {
                    group.cancelAll();
                    if (out == null) {
                        throw failed.error();
                    }
                    format.failed(out, failed.error(), errors);
                    out.flush();
                    return;
                }
                if (out == null) {
                    if (!(event instanceof InferenceEvent.Started started)) {
                        throw new IllegalStateException("backend sent " + event.getClass().getSimpleName() + " before Started");
                    }
                    out = open(ctx, started);
                    format.begin(out, started);
                }
                format.event(out, next.index(), event);
                unflushed++;
            }
            if (group.abandoned()) {
                return; // the client went away (ClientWatch): nothing to write, nobody to write to
            }
            format.end(out);
            out.flush();
        } catch (IOException clientGone) {
            log.debug("request {}: client went away, cancelling", RequestIds.of(ctx));
            group.cancelAll();
        } catch (RuntimeException e) {
            group.cancelAll();
            if (out == null) {
                throw e;
            }
            log.error("request {}: stream failed", RequestIds.of(ctx), e);
            ApiException error = e instanceof ApiException api ? api
                    : new ApiException(ErrorKind.INTERNAL, "Internal error; the request id is " + RequestIds.of(ctx) + ".");
            try {
                format.failed(out, error, errors);
                out.flush();
            } catch (IOException ignored) {
                // the client is gone as well
            }
        }
    }

    private static Sse open(Context ctx, InferenceEvent.Started started) throws IOException {
        ResponseHeaders.apply(ctx, started);
        ctx.status(200);
        ctx.res().setContentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("Cache-Control", "no-cache");
        ctx.res().setHeader("X-Accel-Buffering", "no");
        return new Sse(ctx.res().getOutputStream()); // the headers leave with the first frames
    }
}
