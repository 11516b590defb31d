package dev.tandem.server.ops.metrics;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Wraps one remote backend and counts its failures by kind, whether refused at start or failed
 * mid-stream, and whether or not a fallback hid them from the client.
 */
public final class UpstreamErrorCounting implements Backend {
    private final Backend remote;
    private final TandemMetrics metrics;

    public UpstreamErrorCounting(Backend remote, TandemMetrics metrics) {
        this.remote = remote;
        this.metrics = metrics;
    }

    @Override
    public String name() {
        return remote.name();
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        return remote.cannotServe(request);
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        try {
            return remote.start(request, event -> {
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
        metrics.upstreamError(remote.name(), e.kind().name().toLowerCase(Locale.ROOT));
    }
}
