package dev.tandem.server.core;

import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The commit point of one backend attempt: its {@link InferenceEvent.Started} is held back until the
 * first content event (a text or tool-call delta, or Finished), so that a failure before it can still
 * be retried or handed to the next backend without the client seeing anything. From the commit on,
 * every event passes, up to the terminal one. The router and the remote backends each put one in
 * front of every attempt.
 *
 * <p>Not thread-safe: the owner passes one event at a time (a backend's events arrive in order).
 */
public final class CommitGate {
    private final Consumer<InferenceEvent> out;
    private final UnaryOperator<InferenceEvent.Started> atCommit;
    private InferenceEvent.Started held;
    private boolean committed;
    private boolean closed;

    /**
     * @param out where events go
     * @param atCommit the Started to send at the commit, given the held one (null when the backend
     *     sent none before its first content)
     */
    public CommitGate(Consumer<InferenceEvent> out, UnaryOperator<InferenceEvent.Started> atCommit) {
        this.out = out;
        this.atCommit = atCommit;
    }

    /** Passes {@code event} on, Started held back until the commit; nothing passes once closed. */
    public void pass(InferenceEvent event) {
        if (closed) {
            return;
        }
        if (!committed) {
            if (event instanceof InferenceEvent.Started s) {
                held = s;
                return;
            }
            commit();
        }
        if (event.isTerminal()) {
            closed = true;
        }
        out.accept(event);
    }

    /** Commits now, sending the Started: when there is nothing left to fall back to, say who serves at once. */
    public void commit() {
        if (!committed && !closed) {
            committed = true;
            out.accept(atCommit.apply(held));
        }
    }

    /** True once anything reached {@code out}: from here on a failure is the client's to see. */
    public boolean committed() {
        return committed;
    }

    /** Nothing passes any more: the attempt ended, failed before its commit, or was cancelled. */
    public void close() {
        closed = true;
    }

    public boolean closed() {
        return closed;
    }
}
