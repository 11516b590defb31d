package dev.tandem.models.grammar;

/**
 * Where one open JSON value (or text part) stands: an immutable value, compared by content, so that
 * equal states share one cached token mask. A frame that has pushed a child is already in its "after
 * the child" phase: the child pops itself (lazily, when a byte it cannot take arrives) and the frame
 * below carries on.
 */
interface Frame {

    /** Adds to {@code out} every stack that results from this frame (the top of {@code self}) taking byte {@code b}. */
    void step(int b, Stack self, Transitions out);

    /** The value may be complete here: a byte this frame cannot take may belong to the frame below. */
    boolean canPop();

    /**
     * Bytes of the shortest completion of this frame, the child above it assumed complete: exact, so
     * that some byte always brings a stack's sum one lower (what lets a generation close in its budget).
     */
    int remaining();

    /** True when the frame holds a counter that {@link #key(int)} clamps. */
    default boolean counted() {
        return false;
    }

    /**
     * What decides the mask: counters more than {@code clamp} (the longest token's bytes) away from a
     * bound cannot reach it within one token and are clamped, so that a long string's positions share
     * one mask.
     */
    default Object key(int clamp) {
        return this;
    }

    static int clamp(int distance, int clamp) {
        return Math.max(0, Math.min(distance, clamp));
    }
}
