package dev.tandem.models.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One of a fixed set of byte strings (enum and const values, true/false/null, markers, an optional
 * space), matched through a trie of them.
 */
final class LiteralSpec extends Spec {
    /** Per node: sorted edge bytes and their target nodes. */
    private final byte[][] edgeBytes;
    private final int[][] edgeTargets;
    private final boolean[] terminal;
    /** Per node: bytes to the nearest terminal. */
    private final int[] distance;
    private final String description;

    private LiteralSpec(List<byte[]> alternatives, String description) {
        this.description = description;
        List<int[]> edges = new ArrayList<>(); // per node: flat (byte, target) pairs
        List<Boolean> term = new ArrayList<>();
        edges.add(new int[0]);
        term.add(false);
        for (byte[] alt : alternatives) {
            int node = 0;
            for (byte value : alt) {
                int b = value & 0xFF;
                int next = find(edges.get(node), b);
                if (next < 0) {
                    next = edges.size();
                    edges.add(new int[0]);
                    term.add(false);
                    int[] e = edges.get(node);
                    int[] grown = Arrays.copyOf(e, e.length + 2);
                    grown[e.length] = b;
                    grown[e.length + 1] = next;
                    edges.set(node, grown);
                }
                node = next;
            }
            term.set(node, true);
        }
        int n = edges.size();
        edgeBytes = new byte[n][];
        edgeTargets = new int[n][];
        terminal = new boolean[n];
        for (int i = 0; i < n; i++) {
            int[] e = edges.get(i);
            Integer[] order = new Integer[e.length / 2];
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
            }
            Arrays.sort(order, (x, y) -> Integer.compare(e[2 * x], e[2 * y]));
            edgeBytes[i] = new byte[order.length];
            edgeTargets[i] = new int[order.length];
            for (int k = 0; k < order.length; k++) {
                edgeBytes[i][k] = (byte) e[2 * order[k]];
                edgeTargets[i][k] = e[2 * order[k] + 1];
            }
            terminal[i] = term.get(i);
        }
        // Children always have higher ids than their parent: one backward pass gives the distances
        distance = new int[n];
        for (int i = n - 1; i >= 0; i--) {
            int d = terminal[i] ? 0 : Lengths.INFINITE;
            for (int t : edgeTargets[i]) {
                d = Math.min(d, Lengths.add(1, distance[t]));
            }
            distance[i] = d;
        }
    }

    private static int find(int[] flat, int b) {
        for (int k = 0; k < flat.length; k += 2) {
            if (flat[k] == b) {
                return flat[k + 1];
            }
        }
        return -1;
    }

    static LiteralSpec of(List<byte[]> alternatives, String description) {
        if (alternatives.isEmpty()) {
            throw new IllegalArgumentException("a literal needs at least one alternative");
        }
        return new LiteralSpec(alternatives, description);
    }

    static LiteralSpec of(String... alternatives) {
        List<byte[]> bytes = new ArrayList<>();
        for (String a : alternatives) {
            bytes.add(a.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return of(bytes, String.join("|", alternatives));
    }

    /** The node after byte {@code b} from {@code node}, or -1. */
    int child(int node, int b) {
        byte[] bytes = edgeBytes[node];
        for (int k = 0; k < bytes.length; k++) {
            if ((bytes[k] & 0xFF) == b) {
                return edgeTargets[node][k];
            }
        }
        return -1;
    }

    /** Number of trie nodes (node 0 is the root). */
    int nodes() {
        return terminal.length;
    }

    boolean terminal(int node) {
        return terminal[node];
    }

    @Override
    void begin(int b, Stack parent, Transitions out) {
        int next = child(0, b);
        if (next >= 0) {
            out.push(parent, new At(this, next));
        }
    }

    @Override
    boolean computeNullable() {
        return terminal[0];
    }

    @Override
    int computeShortest() {
        return distance[0];
    }

    @Override
    public String toString() {
        return "literal(" + description + ")";
    }

    /** Inside the literal, at one trie node. */
    record At(LiteralSpec spec, int node) implements Frame {
        @Override
        public void step(int b, Stack self, Transitions out) {
            int next = spec.child(node, b);
            if (next >= 0) {
                out.replaceTop(self, new At(spec, next));
            }
        }

        @Override
        public boolean canPop() {
            return spec.terminal[node];
        }

        @Override
        public int remaining() {
            return spec.distance[node];
        }

        @Override
        public String toString() {
            return spec + "@" + node;
        }
    }
}
