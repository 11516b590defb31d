package dev.tandem.models.kv;

import java.util.Arrays;

/**
 * The free blocks in the order they are handed out: the head first. A freed block that holds a cached
 * prefix goes to the tail, so the least recently used one is evicted first; a block with nothing worth
 * keeping goes to the head. A prefix-cache hit takes a block out from anywhere. All operations are
 * O(1): a doubly linked list over block ids in two int arrays (vLLM's FreeKVCacheBlockQueue).
 */
final class FreeBlockQueue {
    private static final int NONE = -1;

    private final int[] previous;
    private final int[] next;
    private final boolean[] queued;
    private int head = NONE;
    private int tail = NONE;
    private int size;

    /** A queue holding every block of a pool of {@code blocks}, in id order. */
    FreeBlockQueue(int blocks) {
        previous = new int[blocks];
        next = new int[blocks];
        queued = new boolean[blocks];
        Arrays.fill(previous, NONE);
        Arrays.fill(next, NONE);
        for (int b = 0; b < blocks; b++) {
            addLast(b);
        }
    }

    int size() {
        return size;
    }

    boolean contains(int block) {
        return queued[block];
    }

    /** Takes the head; the queue must not be empty. */
    int poll() {
        if (size == 0) {
            throw new IllegalStateException("no free block");
        }
        int block = head;
        remove(block);
        return block;
    }

    void addFirst(int block) {
        checkNotQueued(block);
        next[block] = head;
        if (head != NONE) {
            previous[head] = block;
        } else {
            tail = block;
        }
        head = block;
        queued[block] = true;
        size++;
    }

    void addLast(int block) {
        checkNotQueued(block);
        previous[block] = tail;
        if (tail != NONE) {
            next[tail] = block;
        } else {
            head = block;
        }
        tail = block;
        queued[block] = true;
        size++;
    }

    void remove(int block) {
        if (!queued[block]) {
            throw new IllegalStateException("block " + block + " is not free");
        }
        int before = previous[block];
        int after = next[block];
        if (before != NONE) {
            next[before] = after;
        } else {
            head = after;
        }
        if (after != NONE) {
            previous[after] = before;
        } else {
            tail = before;
        }
        previous[block] = NONE;
        next[block] = NONE;
        queued[block] = false;
        size--;
    }

    private void checkNotQueued(int block) {
        if (queued[block]) {
            throw new IllegalStateException("block " + block + " is already free");
        }
    }
}
