package dev.tandem.server.remote;

import dev.tandem.server.core.Backend;
import dev.tandem.server.core.CircuitState;
import dev.tandem.server.core.InferenceRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The remote upstreams, built on first use only: a server (or request) that never goes remote never
 * creates an HTTP client, a thread or a connection. Thread-safe.
 */
public final class RemoteBackends implements AutoCloseable {
    private final RemotesConfig config;
    private final Function<String, RemoteBackend> factory;
    private final Map<String, RemoteBackend> built = new LinkedHashMap<>();
    private boolean closed;

    /** Real upstreams from configuration; {@code promptCounter} may be null (see {@link PromptEstimate}). */
    public RemoteBackends(RemotesConfig config, ToIntFunction<InferenceRequest> promptCounter) {
        this.config = config;
        this.factory = name -> new RemoteBackend(name, config.get(name), promptCounter);
    }

    public RemotesConfig config() {
        return config;
    }

    /** The names of the enabled upstreams, in configuration order. Builds nothing. */
    public List<String> enabled() {
        return config.upstreams().entrySet().stream().filter(e -> e.getValue().active()).map(Map.Entry::getKey).toList();
    }

    /** The enabled upstream {@code name}, built now if it was not yet. */
    public synchronized Optional<Backend> get(String name) {
        RemoteConfig c = config.get(name);
        if (c == null || !c.active() || closed) {
            return Optional.empty();
        }
        return Optional.of(built.computeIfAbsent(name, factory));
    }

    /** Circuit-breaker state per upstream built so far (none in compliance mode: nothing is built). */
    public synchronized Map<String, CircuitState> circuitStates() {
        Map<String, CircuitState> states = new LinkedHashMap<>();
        built.forEach((name, backend) -> states.put(name, backend.circuitState()));
        return states;
    }

    @Override
    public synchronized void close() {
        closed = true;
        built.values().forEach(RemoteBackend::close);
        built.clear();
    }
}
