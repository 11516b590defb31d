package dev.tandem.models.grammar;

/** Completion lengths in bytes, saturating at {@link #INFINITE} (a part that cannot end, e.g. a cycle). */
final class Lengths {
    static final int INFINITE = 1 << 28;

    private Lengths() {}

    static int add(int a, int b) {
        return Math.min(INFINITE, a + b);
    }

    static int add(int a, int b, int c) {
        return add(add(a, b), c);
    }

    static int times(int n, int length) {
        return (int) Math.min(INFINITE, (long) n * length);
    }
}
