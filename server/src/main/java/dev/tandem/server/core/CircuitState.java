package dev.tandem.server.core;

/** The state of an upstream's circuit breaker, as reported to metrics. */
public enum CircuitState {
    CLOSED,
    OPEN,
    /** Open long enough: the next call is a probe. */
    HALF_OPEN;

    /** The metrics label: "closed", "open", "half_open". */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
