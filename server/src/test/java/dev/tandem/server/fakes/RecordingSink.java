package dev.tandem.server.fakes;

import dev.tandem.server.core.InferenceEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** A backend sink that records events, for tests: wait for the end, then look at what came. */
public final class RecordingSink implements Consumer<InferenceEvent> {
    /** How long an await may take: an upper bound for a loaded 2-core machine, never a speed expected. */
    public static final Duration PATIENCE = Duration.ofSeconds(120);

    private final List<InferenceEvent> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final CountDownLatch texted = new CountDownLatch(1);
    private final List<Long> atNanos = new CopyOnWriteArrayList<>();

    @Override
    public void accept(InferenceEvent event) {
        events.add(event);
        atNanos.add(System.nanoTime());
        if (event instanceof InferenceEvent.TextDelta) {
            texted.countDown();
        }
        if (event.isTerminal()) {
            ended.countDown();
        }
    }

    /** Waits for Finished or Failed; fails the test after {@code timeout}. */
    public RecordingSink awaitEnd(Duration timeout) {
        return await(ended, timeout, "Finished/Failed");
    }

    /** Waits for the first text; fails the test after {@link #PATIENCE}. */
    public RecordingSink awaitText() {
        return await(texted, PATIENCE, "TextDelta");
    }

    private RecordingSink await(CountDownLatch latch, Duration timeout, String what) {
        try {
            if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("no " + what + " within " + timeout + "; got " + events);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return this;
    }

    /** Waits for Finished or Failed; fails the test after {@link #PATIENCE}. */
    public RecordingSink awaitEnd() {
        return awaitEnd(PATIENCE);
    }

    public boolean ended() {
        return ended.getCount() == 0;
    }

    public List<InferenceEvent> events() {
        return List.copyOf(events);
    }

    public InferenceEvent.Started started() {
        return events.stream().filter(InferenceEvent.Started.class::isInstance).map(InferenceEvent.Started.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no Started in " + events));
    }

    public String text() {
        return events.stream().filter(InferenceEvent.TextDelta.class::isInstance)
                .map(e -> ((InferenceEvent.TextDelta) e).text()).collect(Collectors.joining());
    }

    public List<InferenceEvent.ToolCallDelta> toolCallDeltas() {
        return events.stream().filter(InferenceEvent.ToolCallDelta.class::isInstance).map(InferenceEvent.ToolCallDelta.class::cast).toList();
    }

    public InferenceEvent.Finished finished() {
        return events.stream().filter(InferenceEvent.Finished.class::isInstance).map(InferenceEvent.Finished.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no Finished in " + events));
    }

    public InferenceEvent.Failed failed() {
        return events.stream().filter(InferenceEvent.Failed.class::isInstance).map(InferenceEvent.Failed.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no Failed in " + events));
    }

    /** Nanos at which the first text or tool-call delta arrived. */
    public long firstContentAtNanos() {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).isContent()) {
                return atNanos.get(i);
            }
        }
        throw new AssertionError("no content in " + events);
    }
}
