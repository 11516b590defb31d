package dev.tandem.models.grammar;

import java.util.List;

/** Parts one after the other (an optional space then a value; a marker then tool calls). May refer to itself. */
final class SeqSpec extends Spec {
    private Spec[] parts;
    private int[] suffix;

    SeqSpec(Spec... parts) {
        this.parts = parts.clone();
    }

    /** Sets the parts of a sequence made before them (for a sequence that contains itself). */
    void define(Spec... parts) {
        this.parts = parts.clone();
    }

    /** The parts from {@code index} on begin with byte {@code b}: a nullable part may be skipped. */
    void beginAt(int index, int b, Stack parent, Transitions out) {
        for (int j = index; j < parts.length; j++) {
            Stack after = j + 1 < parts.length ? new Stack(new At(this, j + 1), parent) : parent;
            parts[j].begin(b, after, out);
            if (!parts[j].nullable()) {
                return;
            }
        }
    }

    private boolean nullableFrom(int index) {
        for (int j = index; j < parts.length; j++) {
            if (!parts[j].nullable()) {
                return false;
            }
        }
        return true;
    }

    private int suffix(int index) {
        if (suffix == null) {
            int[] s = new int[parts.length + 1];
            for (int j = parts.length - 1; j >= 0; j--) {
                s[j] = Lengths.add(parts[j].shortest(), s[j + 1]);
            }
            suffix = s;
        }
        return suffix[index];
    }

    @Override
    void begin(int b, Stack parent, Transitions out) {
        beginAt(0, b, parent, out);
    }

    @Override
    boolean computeNullable() {
        return nullableFrom(0);
    }

    @Override
    int computeShortest() {
        int sum = 0;
        for (Spec p : parts) {
            sum = Lengths.add(sum, p.shortest());
        }
        return sum;
    }

    @Override
    public String toString() {
        return "seq" + List.of(parts);
    }

    /** The parts from {@code index} on are still to come. */
    record At(SeqSpec spec, int index) implements Frame {
        @Override
        public void step(int b, Stack self, Transitions out) {
            spec.beginAt(index, b, self.rest, out);
        }

        @Override
        public boolean canPop() {
            return spec.nullableFrom(index);
        }

        @Override
        public int remaining() {
            return spec.suffix(index);
        }

        @Override
        public String toString() {
            return "seq@" + index;
        }
    }
}
