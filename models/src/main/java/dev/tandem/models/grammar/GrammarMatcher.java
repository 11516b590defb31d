package dev.tandem.models.grammar;

import dev.tandem.models.OutputConstraint;

/** One output's place in a {@link GrammarConstraint}. Not thread-safe. */
final class GrammarMatcher implements OutputConstraint.Matcher {
    private final GrammarConstraint constraint;
    private final Vocabulary vocabulary;
    private final int budget;
    private State state;
    private int generated;
    private boolean ended;

    GrammarMatcher(GrammarConstraint constraint, State initial, int maxTokens) {
        this.constraint = constraint;
        this.vocabulary = constraint.vocabulary();
        this.state = initial;
        this.budget = maxTokens;
    }

    @Override
    public void fillAllowed(long[] allowed) {
        if (!ended && !state.done) {
            int tokensLeft = budget == Integer.MAX_VALUE ? Integer.MAX_VALUE : budget - generated - 1;
            Mask mask = constraint.mask(state);
            if (budget == Integer.MAX_VALUE || Lengths.add(state.remaining, Math.max(0, mask.maxGrowth)) <= tokensLeft) {
                mask.fill(allowed);
            } else if (state.remaining <= tokensLeft) {
                mask.fillWithin(allowed, state.remaining, tokensLeft); // near the budget: what still fits
            } else {
                constraint.fillWithin(state, tokensLeft, allowed); // the budget is already too short: the walk decides
            }
        }
        if (state.canEnd) {
            for (int eos : vocabulary.eosIds) {
                if ((eos >>> 6) < allowed.length) {
                    allowed[eos >>> 6] |= 1L << eos;
                }
            }
        }
    }

    @Override
    public void accept(int token) {
        if (ended) {
            throw new IllegalStateException("the output has ended; token " + token + " cannot follow");
        }
        if (vocabulary.isEos(token)) {
            if (!state.canEnd) {
                throw new IllegalStateException("the output is not complete; end-of-sequence token " + token + " is not allowed");
            }
            ended = true;
        } else {
            byte[] bytes = vocabulary.bytes(token);
            State next = bytes == null ? null : state.advance(bytes);
            if (next == null) {
                throw new IllegalStateException("token " + token + " is not allowed here");
            }
            state = next;
        }
        generated++;
    }

    @Override
    public boolean mustEnd() {
        if (ended || state.done) {
            return true;
        }
        return state.canEnd && (generated >= budget || constraint.mask(state).count == 0);
    }

    @Override
    public String toString() {
        return "GrammarMatcher[" + state + ", " + generated + "/" + budget + "]";
    }
}
