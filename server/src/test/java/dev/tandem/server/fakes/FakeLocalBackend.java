package dev.tandem.server.fakes;

import dev.tandem.models.EngineLoad;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.StopReason;
import dev.tandem.server.core.TokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A stand-in for the local backend where routing, not inference, is under test: answers with fixed
 * text on another thread, refuses what the local model cannot do (images) as LocalBackend
 * does, and can be made saturated (its load says so and start throws 529 with Retry-After) or
 * failing (Failed before the first token, or after it).
 */
public final class FakeLocalBackend implements Backend {

    public enum Mode { ANSWER, FAIL_BEFORE_FIRST_TOKEN, FAIL_AFTER_FIRST_TOKEN }

    private final AtomicReference<EngineLoad> load = new AtomicReference<>(idle());
    private final List<InferenceRequest> started = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.ANSWER;
    private volatile int contextWindow = 4096;

    public static EngineLoad idle() {
        return new EngineLoad(0, 0, 8, 16, 4096, 4096, Duration.ZERO, 0);
    }

    /** Queue full: a new submission would be refused. */
    public static EngineLoad queueFull() {
        return new EngineLoad(8, 16, 8, 16, 4096, 0, Duration.ofSeconds(20), 8);
    }

    /** Queue not full, but a new request would wait {@code wait} for its first token. */
    public static EngineLoad busy(Duration wait) {
        return new EngineLoad(8, 4, 8, 16, 4096, 100, wait, 8);
    }

    public Supplier<EngineLoad> loadSupplier() {
        return load::get;
    }

    public FakeLocalBackend load(EngineLoad v) {
        load.set(v);
        return this;
    }

    public FakeLocalBackend mode(Mode v) {
        mode = v;
        return this;
    }

    public List<InferenceRequest> startedRequests() {
        return List.copyOf(started);
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        if (request.hasImages()) {
            return Optional.of("the local model does not support images");
        }
        if (request.maxTokens() > contextWindow) {
            return Optional.of("prompt + max_tokens exceed the local context window of " + contextWindow);
        }
        return Optional.empty();
    }

    /** As the engine: its slots and queue places. */
    @Override
    public int maxCallsAtOnce(InferenceRequest request) {
        return load.get().maxRunning() + load.get().maxWaiting();
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        if (load.get().queueFull()) {
            throw new ApiException(ErrorKind.OVERLOADED, "the local engine is saturated; retry later", null, Duration.ofSeconds(2), null);
        }
        started.add(request);
        Mode m = mode;
        CompletableFuture<Void> work = CompletableFuture.runAsync(() -> {
            sink.accept(new InferenceEvent.Started("local", request.model(), 7));
            if (m == Mode.FAIL_BEFORE_FIRST_TOKEN) {
                sink.accept(new InferenceEvent.Failed(new ApiException(ErrorKind.INTERNAL, "local engine failed")));
                return;
            }
            sink.accept(new InferenceEvent.TextDelta("local ", null));
            if (m == Mode.FAIL_AFTER_FIRST_TOKEN) {
                sink.accept(new InferenceEvent.Failed(new ApiException(ErrorKind.INTERNAL, "local engine failed mid-way")));
                return;
            }
            sink.accept(new InferenceEvent.TextDelta("answer", null));
            sink.accept(new InferenceEvent.Finished(StopReason.END_TURN, new TokenUsage(7, 2), null));
        });
        return () -> work.cancel(false);
    }
}
