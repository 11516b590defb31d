package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The backend calls of one streaming HTTP request (one per choice: n, or prompts × n) with their
 * events merged into one queue, tagged with the choice index. Backends call the sink on their own
 * threads; the HTTP thread drains the queue and writes each event. (A whole response is gathered
 * without a waiting thread: {@link Completed#gather}.)
 */
public final class CallGroup implements AutoCloseable {

    /** An event of choice {@code index}. */
    public record Indexed(int index, InferenceEvent event) {}

    /** Wakes a waiting poller when the group is abandoned: its calls, cancelled, may say nothing more. */
    private static final Indexed ABANDONED = new Indexed(-1, null);

    private final BlockingQueue<Indexed> queue = new LinkedBlockingQueue<>();
    private final List<Backend.Call> calls = new ArrayList<>();
    private final int size;
    private int ended;
    private volatile boolean abandoned;

    private CallGroup(int size) {
        this.size = size;
    }

    /** Starts every request; if one is refused, the ones already started are cancelled and the refusal thrown. */
    public static CallGroup start(Backend backend, List<InferenceRequest> requests) {
        CallGroup group = new CallGroup(requests.size());
        try {
            for (int i = 0; i < requests.size(); i++) {
                int index = i;
                Backend.Call call = backend.start(requests.get(i), event -> group.queue.add(new Indexed(index, event)));
                synchronized (group.calls) {
                    group.calls.add(call);
                }
            }
        } catch (RuntimeException e) {
            group.cancelAll();
            throw e;
        }
        return group;
    }

    public int size() {
        return size;
    }

    /** True when every call has sent its Finished or Failed, or the group was {@link #abandon abandoned}. */
    public boolean done() {
        return ended == size || abandoned;
    }

    /** True when the group was abandoned: its client went away. */
    public boolean abandoned() {
        return abandoned;
    }

    /** The client went away: every call is cancelled, and the poller stops waiting (from any thread). */
    public void abandon() {
        abandoned = true;
        cancelAll();
        queue.add(ABANDONED);
    }

    /** The next event if one is there already, else null. */
    public Indexed pollNow() {
        return counted(queue.poll());
    }

    /** The next event, or null when none came within {@code timeoutMs}. */
    public Indexed poll(long timeoutMs) {
        try {
            return counted(queue.poll(timeoutMs, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancelAll();
            throw new ApiException(dev.tandem.server.core.ErrorKind.INTERNAL, "interrupted while waiting for the model");
        }
    }

    private Indexed counted(Indexed next) {
        if (next == ABANDONED || abandoned) {
            return null;
        }
        if (next != null && next.event().isTerminal()) {
            ended++;
        }
        return next;
    }

    public void cancelAll() {
        List<Backend.Call> started;
        synchronized (calls) {
            started = List.copyOf(calls);
        }
        started.forEach(Backend.Call::cancel);
    }

    @Override
    public void close() {
        if (!done()) {
            cancelAll();
        }
    }
}
