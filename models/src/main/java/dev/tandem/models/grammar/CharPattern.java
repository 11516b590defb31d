package dev.tandem.models.grammar;

/** A deterministic automaton over characters (code points): what a JSON Schema {@code pattern} compiles to. */
interface CharPattern {
    int start();

    /** The state after {@code cp}, or -1 when no match can follow. */
    int next(int state, int cp);

    boolean accepting(int state);

    /** Characters on the shortest way to an accepting state. */
    int distanceInChars(int state);

    /** Bytes (as written in a JSON string) on the shortest way to an accepting state. */
    int distanceInBytes(int state);

    /**
     * For a character not yet complete, known to lie in [lo, hi]: the shortest way on (chars, bytes)
     * after it to an accepting state, over the characters of that range the pattern takes with at most
     * {@code charsAfter} characters after them; {@link Lengths#INFINITE} for both when there is none.
     */
    int[] through(int state, int lo, int hi, int charsAfter);
}
