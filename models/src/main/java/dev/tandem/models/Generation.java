package dev.tandem.models;

/** A submitted generation. Its events go to the listener given at submission. */
public interface Generation {

    String id();

    /** Asks the engine to stop; takes effect at its next step and ends with FinishReason.CANCELLED. */
    void cancel();
}
