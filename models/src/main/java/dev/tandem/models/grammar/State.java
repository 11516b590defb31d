package dev.tandem.models.grammar;

import java.util.Arrays;

/**
 * Where an output stands: the stacks still alive (more than one while an anyOf or a shared prefix
 * leaves the reading open). Immutable; compared by content.
 */
final class State {
    final Stack[] stacks;
    /** Bytes of the shortest completion over all stacks. */
    final int remaining;
    /** The output may end here (EOS is allowed). */
    final boolean canEnd;
    /** Only the end may follow. */
    final boolean done;
    private final int hash;

    State(Stack... stacks) {
        this.stacks = stacks;
        int rem = Lengths.INFINITE;
        boolean end = false;
        boolean allDone = true;
        for (Stack s : stacks) {
            rem = Math.min(rem, s.remaining);
            end |= s.canEnd;
            allDone &= s == Stack.DONE;
        }
        this.remaining = rem;
        this.canEnd = end;
        this.done = allDone;
        this.hash = Arrays.hashCode(stacks);
    }

    /** The state after byte {@code b}, or null when no stack takes it. */
    State advance(int b) {
        Transitions out = new Transitions();
        for (Stack s : stacks) {
            s.advance(b, out);
        }
        if (out.size() == 0) {
            return null;
        }
        if (out.size() == 1 && stacks.length == 1 && out.get(0) == stacks[0]) {
            return this;
        }
        return new State(out.toArray());
    }

    /** The state after all of {@code bytes}, or null. */
    State advance(byte[] bytes) {
        State s = this;
        for (int i = 0; i < bytes.length && s != null; i++) {
            s = s.advance(bytes[i] & 0xFF);
        }
        return s;
    }

    /** The mask cache's key: this state with counters far from their bounds clamped. */
    Object key(int clamp) {
        boolean counted = false;
        for (Stack s : stacks) {
            counted |= s.counted;
        }
        if (!counted) {
            return this;
        }
        Object[] keys = new Object[stacks.length];
        for (int i = 0; i < stacks.length; i++) {
            keys[i] = stacks[i].key(clamp);
        }
        return Arrays.asList(keys);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof State other && other.hash == hash && Arrays.equals(stacks, other.stacks));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return Arrays.toString(stacks);
    }
}
