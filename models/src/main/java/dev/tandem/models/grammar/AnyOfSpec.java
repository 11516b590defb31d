package dev.tandem.models.grammar;

import java.util.List;

/** One of several alternatives (anyOf, oneOf, a list of types): all are followed until the bytes tell them apart. */
final class AnyOfSpec extends Spec {
    private final Spec[] alternatives;

    AnyOfSpec(List<Spec> alternatives) {
        this.alternatives = alternatives.toArray(Spec[]::new);
    }

    static Spec of(List<Spec> alternatives) {
        return alternatives.size() == 1 ? alternatives.get(0) : new AnyOfSpec(alternatives);
    }

    @Override
    void begin(int b, Stack parent, Transitions out) {
        for (Spec a : alternatives) {
            a.begin(b, parent, out);
        }
    }

    @Override
    boolean computeNullable() {
        for (Spec a : alternatives) {
            if (a.nullable()) {
                return true;
            }
        }
        return false;
    }

    @Override
    int computeShortest() {
        int best = Lengths.INFINITE;
        for (Spec a : alternatives) {
            best = Math.min(best, a.shortest());
        }
        return best;
    }

    @Override
    public String toString() {
        return "anyOf" + List.of(alternatives);
    }
}
