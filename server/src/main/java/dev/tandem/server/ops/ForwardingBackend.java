package dev.tandem.server.ops;

import dev.tandem.server.core.Backend;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.PromptTokens;
import java.util.Optional;

/**
 * A backend that wraps another (gate, observer, cache, redaction, error counting): it has the inner
 * backend's name, its say on what it cannot serve or hold and its tokenizer, and adds its work around
 * {@link #start}.
 */
public abstract class ForwardingBackend implements Backend {
    protected final Backend inner;

    protected ForwardingBackend(Backend inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        return inner.cannotServe(request);
    }

    @Override
    public int maxCallsAtOnce(InferenceRequest request) {
        return inner.maxCallsAtOnce(request);
    }

    @Override
    public PromptTokens tokenize(InferenceRequest request) {
        return inner.tokenize(request);
    }

    @Override
    public String detokenize(InferenceRequest request) {
        return inner.detokenize(request);
    }
}
