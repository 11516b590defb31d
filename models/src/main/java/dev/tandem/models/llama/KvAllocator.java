package dev.tandem.models.llama;

import java.util.Map;
import java.util.TreeMap;

/**
 * Hands out contiguous ranges of a fixed pool of KV-cache token slots (first fit), and takes them back,
 * merging neighbours. A sequence reserves its whole range (prompt + max_tokens) when it is admitted, so
 * it can never run out mid-generation. Not thread-safe: the engine thread owns it.
 */
final class KvAllocator {
    private final int capacity;
    /** Free ranges: start to length, never adjacent (merged on release). */
    private final TreeMap<Integer, Integer> free = new TreeMap<>();
    private int freeTokens;

    KvAllocator(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1");
        }
        this.capacity = capacity;
        this.freeTokens = capacity;
        free.put(0, capacity);
    }

    /** The start of a free range of {@code tokens} slots, now reserved, or -1 if none is large enough. */
    int reserve(int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens must be >= 1");
        }
        for (Map.Entry<Integer, Integer> e : free.entrySet()) {
            // Read the entry before removing it: TreeMap reuses removed nodes for their successor
            int start = e.getKey();
            int length = e.getValue();
            if (length >= tokens) {
                free.remove(start);
                if (length > tokens) {
                    free.put(start + tokens, length - tokens);
                }
                freeTokens -= tokens;
                return start;
            }
        }
        return -1;
    }

    /** Returns a range given by {@link #reserve}. */
    void release(int start, int tokens) {
        if (start < 0 || tokens < 1 || start + tokens > capacity) {
            throw new IllegalArgumentException("range " + start + "+" + tokens + " outside the pool of " + capacity);
        }
        // Copies of the neighbours: TreeMap entries must not be read after a removal
        Map.Entry<Integer, Integer> below = copy(free.floorEntry(start));
        if (below != null && below.getKey() + below.getValue() > start) {
            throw new IllegalStateException("range " + start + "+" + tokens + " is already free");
        }
        Map.Entry<Integer, Integer> above = copy(free.ceilingEntry(start));
        if (above != null && above.getKey() < start + tokens) {
            throw new IllegalStateException("range " + start + "+" + tokens + " overlaps a free range");
        }
        int newStart = start;
        int newLength = tokens;
        if (below != null && below.getKey() + below.getValue() == start) {
            newStart = below.getKey();
            newLength += below.getValue();
            free.remove(below.getKey());
        }
        if (above != null && above.getKey() == start + tokens) {
            newLength += above.getValue();
            free.remove(above.getKey());
        }
        free.put(newStart, newLength);
        freeTokens += tokens;
    }

    private static Map.Entry<Integer, Integer> copy(Map.Entry<Integer, Integer> e) {
        return e == null ? null : Map.entry(e.getKey(), e.getValue());
    }

    int capacity() {
        return capacity;
    }

    int freeTokens() {
        return freeTokens;
    }

    /** The longest range {@link #reserve} could grant now. */
    int largestFreeRange() {
        return free.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
