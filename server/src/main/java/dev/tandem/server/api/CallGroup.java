package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backend calls of one HTTP request (one per choice: n, or prompts × n) with their events merged
 * into one queue, tagged with the choice index. Backends call the sink on their own threads; the
 * HTTP thread drains the queue.
 *
 * <p>A stream wakes the HTTP thread for every event; a whole (non-streaming) response wakes it only
 * when a call ends, since nothing can be written before that. Waking a thread is a context switch,
 * and a remote answer arrives as dozens of small events.
 */
public final class CallGroup implements AutoCloseable {

    /** An event of choice {@code index}. */
    public record Indexed(int index, InferenceEvent event) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Indexed> queue = new ArrayDeque<>();
    private final List<Backend.Call> calls = new ArrayList<>();
    private final int size;
    private final boolean streaming;
    private int ended;

    private CallGroup(int size, boolean streaming) {
        this.size = size;
        this.streaming = streaming;
    }

    /**
     * Starts every request; if one is refused, the ones already started are cancelled and the refusal thrown.
     *
     * @param streaming true when the caller writes each event as it comes; false when it waits for the whole answer
     */
    public static CallGroup start(Backend backend, List<InferenceRequest> requests, boolean streaming) {
        CallGroup group = new CallGroup(requests.size(), streaming);
        try {
            for (int i = 0; i < requests.size(); i++) {
                int index = i;
                group.calls.add(backend.start(requests.get(i), event -> group.offer(new Indexed(index, event))));
            }
        } catch (RuntimeException e) {
            group.cancelAll();
            throw e;
        }
        return group;
    }

    private void offer(Indexed next) {
        lock.lock();
        try {
            queue.add(next);
            if (streaming || ends(next.event())) {
                arrived.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private static boolean ends(InferenceEvent event) {
        return event instanceof InferenceEvent.Finished || event instanceof InferenceEvent.Failed;
    }

    public int size() {
        return size;
    }

    /** True when every call has sent its Finished or Failed. */
    public boolean done() {
        return ended == size;
    }

    /** The next event, or null when none came within {@code timeoutMs}. */
    public Indexed poll(long timeoutMs) {
        Indexed next;
        lock.lock();
        try {
            long left = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (queue.isEmpty() && left > 0) {
                left = arrived.awaitNanos(left);
            }
            next = queue.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelAll();
            throw new ApiException(dev.tandem.server.core.ErrorKind.INTERNAL, "interrupted while waiting for the model");
        } finally {
            lock.unlock();
        }
        if (next != null && ends(next.event())) {
            ended++;
        }
        return next;
    }

    public void cancelAll() {
        calls.forEach(Backend.Call::cancel);
    }

    @Override
    public void close() {
        if (!done()) {
            cancelAll();
        }
    }
}
