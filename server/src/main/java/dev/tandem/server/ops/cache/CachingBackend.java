package dev.tandem.server.ops.cache;

import dev.tandem.server.core.Backend;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.RouteReason;
import dev.tandem.server.ops.ForwardingBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Exact-match cache for deterministic requests (temperature 0 or a seed), around the dispatcher. A
 * miss records the backend's events; a finished answer is kept, a failed or cancelled one is not. A
 * hit replays the same events, so a streaming caller gets a stream; its Started says route "cache"
 * (the edge turns that into {@code x-tandem-cache: hit}).
 *
 * <p>The key holds the policy, not the backend, since the router picks the backend after the lookup.
 * So an answer is kept only when it came from the backend the route normally picks: one served by a
 * fallback of a passing moment (local saturated or failing) is passed on but not kept, or a remote
 * answer would be replayed to every later caller that local would serve.
 */
public final class CachingBackend extends ForwardingBackend {

    private final boolean perKey;
    private final AnswerStore answers;
    private final Runnable onHit;
    private final Runnable onMiss;

    /** @param answers where answers are kept (this replica's memory or a shared Redis); the caller closes it */
    public CachingBackend(Backend inner, boolean perKey, AnswerStore answers, Runnable onHit, Runnable onMiss) {
        super(inner);
        this.perKey = perKey;
        this.answers = answers;
        this.onHit = onHit;
        this.onMiss = onMiss;
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        if (!request.sampling().deterministic()) {
            return inner.start(request, sink);
        }
        CacheKey key = CacheKey.of(request, perKey);
        List<InferenceEvent> cached = answers.find(key);
        if (cached != null) {
            onHit.run();
            return replay(cached, sink);
        }
        onMiss.run();
        List<InferenceEvent> recorded = new ArrayList<>();
        AtomicBoolean keep = new AtomicBoolean(true); // false once cancelled or served by a passing fallback
        Call call = inner.start(request, event -> {
            synchronized (recorded) {
                recorded.add(event);
                if (event instanceof InferenceEvent.Started s && s.route().isTransient()) {
                    keep.set(false);
                }
                if (event instanceof InferenceEvent.Finished && keep.get()) {
                    answers.keep(key, List.copyOf(recorded));
                }
            }
            sink.accept(event);
        });
        return () -> {
            keep.set(false);
            call.cancel();
        };
    }

    /** Replays on the caller's thread: all events are out before start returns, nothing to cancel. */
    private static Call replay(List<InferenceEvent> events, Consumer<InferenceEvent> sink) {
        for (InferenceEvent e : events) {
            sink.accept(e instanceof InferenceEvent.Started s ? s.withRoute(RouteReason.CACHE) : e);
        }
        return () -> {};
    }
}
