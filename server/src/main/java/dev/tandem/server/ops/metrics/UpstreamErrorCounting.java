package dev.tandem.server.ops.metrics;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.ops.ForwardingBackend;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Wraps one remote backend and counts its failures by kind, whether refused at start or failed
 * mid-stream, and whether or not a fallback hid them from the client.
 */
public final class UpstreamErrorCounting extends ForwardingBackend {
    private final TandemMetrics metrics;

    public UpstreamErrorCounting(Backend remote, TandemMetrics metrics) {
        super(remote);
        this.metrics = metrics;
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        try {
            return inner.start(request, event -> {
                if (event instanceof InferenceEvent.Failed f) {
                    count(f.error());
                }
                sink.accept(event);
            });
        } catch (ApiException e) {
            count(e);
            throw e;
        }
    }

    private void count(ApiException e) {
        metrics.upstreamError(inner.name(), e.kind().name().toLowerCase(Locale.ROOT));
    }
}
