package dev.tandem.server.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a client that goes away while its answer is still being prepared, before anything has been
 * written to it, as vLLM's server does by asking whether the client is still connected.
 *
 * <p>Jetty 12 cannot tell by itself: once a request's body is read, its HTTP/1 connection stops
 * reading the socket until the response is done, so neither {@code EndPoint.isOpen()} nor the
 * request's failure listeners change until a write fails. This watch reads in Jetty's place: it asks
 * the connection's endpoint to say when the socket becomes readable ({@code tryFillInterested}), and
 * then reads without blocking. End of stream means the peer closed its side: the client is gone
 * ({@code onGone} runs, once). A client that half-closes its side after sending the request and still
 * waits for the answer is taken for gone too, as vLLM and most servers take it. Bytes instead of end
 * of stream are the next pipelined request: they are handed back to the connection, which parses them
 * once this answer is written, and the watch ends there (it cannot read further without taking them).
 *
 * <p>{@link #close} must run before the response is written: Jetty fails a request that completes
 * while a read is pending on its connection. Over anything but HTTP/1 on a Jetty endpoint (another
 * connector, a mock) the watch does nothing.
 */
final class ClientWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClientWatch.class);
    private static final ClientWatch NONE = new ClientWatch(null, null, () -> { });

    private final AbstractEndPoint endPoint;
    private final Connection.UpgradeTo connection;
    private final Runnable onGone;
    private final Reader reader = new Reader();
    private boolean interested;
    private boolean over;

    private ClientWatch(AbstractEndPoint endPoint, Connection.UpgradeTo connection, Runnable onGone) {
        this.endPoint = endPoint;
        this.connection = connection;
        this.onGone = onGone;
    }

    /**
     * Starts watching the connection of {@code ctx}'s request, whose body must have been read.
     *
     * @param onGone runs (once, on a Jetty thread) when the client has gone away
     */
    static ClientWatch start(Context ctx, Runnable onGone) {
        ServletContextRequest request;
        try {
            request = ServletContextRequest.getServletContextRequest(ctx.req());
        } catch (IllegalStateException notJetty) {
            return NONE;
        }
        Connection connection = request == null ? null : request.getConnectionMetaData().getConnection();
        EndPoint endPoint = connection == null ? null : connection.getEndPoint();
        if (!(endPoint instanceof AbstractEndPoint jettyEndPoint) || !(connection instanceof Connection.UpgradeTo upgradeTo)
                || endPoint.getConnection() != connection) {
            return NONE;
        }
        ClientWatch watch = new ClientWatch(jettyEndPoint, upgradeTo, onGone);
        watch.arm();
        return watch;
    }

    /** Stops watching; the connection is Jetty's alone again. */
    @Override
    public synchronized void close() {
        if (over || endPoint == null) {
            return;
        }
        over = true;
        if (interested) {
            interested = false;
            // Withdraw the pending read; its failure reaches the reader at once, on this thread, and is
            // ignored (over). The interest withdrawn is this watch's: Jetty registers its own only once
            // the response is written, after this call.
            endPoint.getFillInterest().onFail(new CancellationException("the answer is ready"));
        }
    }

    private synchronized void arm() {
        if (!over) {
            interested = endPoint.tryFillInterested(reader);
        }
    }

    /** The socket became readable, or the endpoint failed. */
    private final class Reader implements Callback {
        @Override
        public void succeeded() {
            synchronized (ClientWatch.this) {
                interested = false;
                if (over) {
                    return;
                }
                ByteBuffer bytes = BufferUtil.allocate(4096);
                int read;
                try {
                    read = endPoint.fill(bytes);
                } catch (IOException e) {
                    read = -1;
                }
                if (read == 0) {
                    arm(); // woken without data: wait again
                    return;
                }
                over = true;
                if (read > 0) {
                    log.debug("the client sent its next request before this answer; it waits on the connection");
                    connection.onUpgradeTo(bytes);
                    return;
                }
            }
            onGone.run();
        }

        @Override
        public void failed(Throwable x) {
            synchronized (ClientWatch.this) {
                interested = false;
                if (over) {
                    return;
                }
                over = true;
            }
            onGone.run(); // the connection failed or was closed: no answer will reach the client
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.BLOCKING; // onGone cancels generations and writes their ledger rows: not on a selector thread
        }
    }
}
