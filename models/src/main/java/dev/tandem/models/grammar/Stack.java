package dev.tandem.models.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A persistent stack of frames, the innermost on top; {@link #DONE} is the finished output. Compared
 * by content; the hash, the shortest completion and whether the output may end here are computed
 * once, when the stack is made.
 */
final class Stack {
    /** The output is complete and takes no more bytes. */
    static final Stack DONE = new Stack();

    final Frame top;
    /** The frames below, or null when this is the outermost frame. */
    final Stack rest;
    /** Bytes of the shortest completion of the whole output. */
    final int remaining;
    /** Every frame may be complete: the output may end here. */
    final boolean canEnd;
    /** Some frame holds a counter ({@link Frame#counted()}). */
    final boolean counted;
    private final int hash;

    private Stack() {
        top = null;
        rest = null;
        remaining = 0;
        canEnd = true;
        counted = false;
        hash = 1;
    }

    Stack(Frame top, Stack rest) {
        this.top = top;
        this.rest = rest;
        this.remaining = Lengths.add(top.remaining(), rest == null ? 0 : rest.remaining);
        this.canEnd = top.canPop() && (rest == null || rest.canEnd);
        this.counted = top.counted() || (rest != null && rest.counted);
        this.hash = 31 * top.hashCode() + (rest == null ? 0 : rest.hash);
    }

    /** What is left when the top frame is complete. */
    Stack below() {
        return rest == null ? DONE : rest;
    }

    /** Adds to {@code out} the stacks that result from byte {@code b}: the top takes it, or pops and a frame below does. */
    void advance(int b, Transitions out) {
        for (Stack s = this; s != DONE; s = s.below()) {
            s.top.step(b, s, out);
            if (!s.top.canPop()) {
                return;
            }
        }
    }

    /** The frames' keys, innermost first. */
    Object key(int clamp) {
        if (!counted) {
            return this;
        }
        List<Object> keys = new ArrayList<>();
        for (Stack s = this; s != null && s != DONE; s = s.rest) {
            keys.add(s.top.key(clamp));
        }
        return keys;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Stack other) || other.hash != hash) {
            return false;
        }
        Stack a = this;
        Stack b = other;
        while (a != null && b != null) {
            if (a == b) {
                return true;
            }
            if (a.hash != b.hash || a.top == null || b.top == null || !a.top.equals(b.top)) {
                return false;
            }
            a = a.rest;
            b = b.rest;
        }
        return a == b;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        if (this == DONE) {
            return "DONE";
        }
        StringBuilder sb = new StringBuilder();
        for (Stack s = this; s != null; s = s.rest) {
            sb.append(sb.length() == 0 ? "" : " | ").append(s.top);
        }
        return sb.toString();
    }
}
