package dev.tandem.models.grammar;

import java.util.Arrays;

/** The distinct stacks one byte leads to, collected while the frames step. */
final class Transitions {
    private Stack[] stacks = new Stack[2];
    private int size;

    void add(Stack s) {
        for (int i = 0; i < size; i++) {
            if (stacks[i] == s || stacks[i].equals(s)) {
                return;
            }
        }
        if (size == stacks.length) {
            stacks = Arrays.copyOf(stacks, size * 2);
        }
        stacks[size++] = s;
    }

    /** {@code self}'s top becomes {@code frame} (the same stack when the frame did not change). */
    void replaceTop(Stack self, Frame frame) {
        add(frame == self.top ? self : new Stack(frame, self.rest));
    }

    /** {@code self}'s top is complete. */
    void pop(Stack self) {
        add(self.below());
    }

    /** {@code frame} goes on top of {@code parent} (null: nothing below it). */
    void push(Stack parent, Frame frame) {
        add(new Stack(frame, parent));
    }

    int size() {
        return size;
    }

    Stack get(int i) {
        return stacks[i];
    }

    Stack[] toArray() {
        return Arrays.copyOf(stacks, size);
    }
}
