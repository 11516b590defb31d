package dev.tandem.models.grammar;

import dev.tandem.models.Tokenizer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;

/**
 * A tokenizer's vocabulary as a trie of the tokens' bytes, walked by a grammar state to find the
 * tokens it allows: one walk visits each shared prefix once and drops a whole subtree at the first
 * byte the state refuses. Nodes are numbered in pre-order; node 0 is the root. Immutable.
 */
final class Vocabulary {
    final int size;
    final int[] eosIds;
    /** The longest token's bytes: how far one token can move a counter. */
    final int maxTokenBytes;
    private final byte[][] bytes;
    private final int[] edgeStart;   // per node: its first edge; edges of node n are [edgeStart[n], edgeStart[n + 1])
    private final byte[] edgeByte;   // per edge
    private final int[] edgeTarget;  // per edge
    private final int[] tokenStart;  // per node: tokens that end there are tokenIds[tokenStart[n] .. tokenStart[n + 1])
    private final int[] tokenIds;

    private Vocabulary(int size, byte[][] bytes, Set<Integer> eos) {
        this.size = size;
        this.bytes = bytes;
        this.eosIds = eos.stream().mapToInt(Integer::intValue).filter(id -> id >= 0 && id < size).sorted().toArray();
        Integer[] order = new Integer[size];
        int count = 0;
        int longest = 1;
        for (int id = 0; id < size; id++) {
            if (bytes[id] != null && bytes[id].length > 0) {
                order[count++] = id;
                longest = Math.max(longest, bytes[id].length);
            }
        }
        this.maxTokenBytes = longest;
        Integer[] ids = Arrays.copyOf(order, count);
        Arrays.sort(ids, Comparator.comparing((Integer id) -> bytes[id], Arrays::compareUnsigned).thenComparing(id -> id));
        // Build in pre-order: sorted keys add nodes for the bytes past the common prefix with the previous key
        int[] parent = new int[1 + countNodes(ids, bytes)];
        byte[] viaByte = new byte[parent.length];
        int[] endNode = new int[count];
        int[] path = new int[longest + 1];
        int nodes = 1;
        byte[] previous = new byte[0];
        for (int k = 0; k < count; k++) {
            byte[] key = bytes[ids[k]];
            int common = commonPrefix(previous, key);
            for (int i = common; i < key.length; i++) {
                parent[nodes] = path[i];
                viaByte[nodes] = key[i];
                path[i + 1] = nodes++;
            }
            endNode[k] = path[key.length];
            previous = key;
        }
        edgeStart = new int[nodes + 1];
        for (int node = 1; node < nodes; node++) {
            edgeStart[parent[node] + 1]++;
        }
        for (int node = 0; node < nodes; node++) {
            edgeStart[node + 1] += edgeStart[node];
        }
        edgeByte = new byte[nodes - 1];
        edgeTarget = new int[nodes - 1];
        int[] fill = Arrays.copyOf(edgeStart, nodes);
        for (int node = 1; node < nodes; node++) { // children in increasing id, i.e. increasing byte
            int e = fill[parent[node]]++;
            edgeByte[e] = viaByte[node];
            edgeTarget[e] = node;
        }
        tokenStart = new int[nodes + 1];
        for (int k = 0; k < count; k++) {
            tokenStart[endNode[k] + 1]++;
        }
        for (int node = 0; node < nodes; node++) {
            tokenStart[node + 1] += tokenStart[node];
        }
        tokenIds = new int[count];
        int[] at = Arrays.copyOf(tokenStart, nodes);
        for (int k = 0; k < count; k++) {
            tokenIds[at[endNode[k]]++] = ids[k];
        }
    }

    private static int countNodes(Integer[] sorted, byte[][] bytes) {
        int nodes = 0;
        byte[] previous = new byte[0];
        for (Integer id : sorted) {
            nodes += bytes[id].length - commonPrefix(previous, bytes[id]);
            previous = bytes[id];
        }
        return nodes;
    }

    private static int commonPrefix(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    static Vocabulary of(Tokenizer tokenizer) {
        int size = tokenizer.vocabSize();
        byte[][] bytes = new byte[size][];
        for (int id = 0; id < size; id++) {
            bytes[id] = tokenizer.tokenBytes(id);
        }
        return new Vocabulary(size, bytes, tokenizer.eosIds());
    }

    /** For tests: tokens given as their bytes, id = index; null entries write no text. */
    static Vocabulary of(byte[][] bytes, Set<Integer> eos) {
        return new Vocabulary(bytes.length, bytes.clone(), eos);
    }

    /** The bytes of token {@code id}, or null for one that writes no text. */
    byte[] bytes(int id) {
        return id >= 0 && id < size ? bytes[id] : null;
    }

    boolean isEos(int id) {
        return Arrays.binarySearch(eosIds, id) >= 0;
    }

    int nodes() {
        return edgeStart.length - 1;
    }

    /** Visits the tokens {@code state} allows, with the state each leads to. */
    void walk(State state, TokenVisitor visitor) {
        walk(0, state, visitor);
    }

    private void walk(int node, State state, TokenVisitor visitor) {
        for (int e = edgeStart[node]; e < edgeStart[node + 1]; e++) {
            State next = state.advance(edgeByte[e] & 0xFF);
            if (next == null) {
                continue;
            }
            int child = edgeTarget[e];
            for (int t = tokenStart[child]; t < tokenStart[child + 1]; t++) {
                visitor.allowed(tokenIds[t], next);
            }
            walk(child, next, visitor);
        }
    }

    /** Receives each allowed token and the state after it. */
    interface TokenVisitor {
        void allowed(int token, State after);
    }
}
