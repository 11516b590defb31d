package dev.tandem.models.grammar;

/**
 * One compiled part of a grammar (a JSON value of some schema, a literal, free text): immutable once
 * compiled and compared by identity, so frames that point at it compare cheaply.
 */
abstract class Spec {
    private int shortest = -1;
    private boolean computing;

    /** Adds the stacks in which this part has taken its first byte {@code b}, on top of {@code parent} (null: nothing after). */
    abstract void begin(int b, Stack parent, Transitions out);

    private int nullable = -1;

    /** True when the part may be empty (it then takes no byte at all). */
    final boolean nullable() {
        if (nullable < 0) {
            nullable = 0; // a cycle back to here is not a way to be empty
            nullable = computeNullable() ? 1 : 0;
        }
        return nullable == 1;
    }

    boolean computeNullable() {
        return false;
    }

    /** Bytes of the shortest text of this part; {@link Lengths#INFINITE} for one that never ends. */
    final int shortest() {
        if (shortest < 0) {
            if (computing) {
                return Lengths.INFINITE; // a cycle: the way through it is never the shortest
            }
            computing = true;
            int s = computeShortest();
            computing = false;
            shortest = s;
        }
        return shortest;
    }

    abstract int computeShortest();
}
