package dev.tandem.server.ops;

/** Told of every call to the shared store: which operation, how long it took, whether it failed (metrics listen). */
@FunctionalInterface
public interface StoreObserver {
    StoreObserver NONE = (operation, nanos, failed) -> {};

    void observe(String operation, long nanos, boolean failed);
}
