package dev.tandem.server.ops;

/** Told once per request how it ended (ledger, metrics). Called before the terminal event is forwarded. */
@FunctionalInterface
public interface OutcomeListener {
    void onOutcome(RequestOutcome outcome);
}
