package dev.tandem.server.ops.cache;

/**
 * What a shared answer store reports for the metrics: a call to it that failed (the request was served
 * uncached), and an answer it did not write (its write queue was full, or it was resting after a lost
 * connection). Neither fails a request; both are counted so that a cache that silently stops caching shows.
 */
public record AnswerStoreEvents(Runnable failed, Runnable writeDropped) {
    /** Reports nothing (tests of the memory store, where neither can happen). */
    public static final AnswerStoreEvents NONE = new AnswerStoreEvents(() -> { }, () -> { });
}
