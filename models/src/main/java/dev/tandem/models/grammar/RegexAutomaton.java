package dev.tandem.models.grammar;

import dev.tandem.models.grammar.RegexParser.Alt;
import dev.tandem.models.grammar.RegexParser.Chars;
import dev.tandem.models.grammar.RegexParser.Node;
import dev.tandem.models.grammar.RegexParser.Repeat;
import dev.tandem.models.grammar.RegexParser.Seq;
import dev.tandem.models.grammar.RegexParser.Unsupported;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** A regex tree as an automaton: Thompson's NFA, determinised lazily ({@link CharPattern}). */
final class RegexAutomaton {
    /** Automata above this many states are refused (a {n,m} with large bounds). */
    static final int MAX_STATES = 20_000;
    private static final int MAX_CP = RegexParser.MAX_CP;

    private RegexAutomaton() {}

    /** The automaton of {@code tree}, or null when it would be too large. */
    static CharPattern of(Node tree) {
        Nfa nfa = new Nfa();
        int accept = nfa.newState();
        int start = nfa.compile(tree, accept);
        return start < 0 ? null : new Dfa(nfa, start, accept);
    }

    /** Thompson's construction, built backwards from the accepting state. */
    private static final class Nfa {
        final List<int[]> ranges = new ArrayList<>(); // per state: lo, hi, target triples
        final List<int[]> epsilon = new ArrayList<>();

        int newState() {
            if (ranges.size() >= MAX_STATES) {
                throw new Unsupported("too many states");
            }
            ranges.add(new int[0]);
            epsilon.add(new int[0]);
            return ranges.size() - 1;
        }

        void addEpsilon(int from, int to) {
            int[] e = epsilon.get(from);
            int[] grown = Arrays.copyOf(e, e.length + 1);
            grown[e.length] = to;
            epsilon.set(from, grown);
        }

        /** A state from which {@code node} then {@code next} match; -1 when the automaton grows too large. */
        int compile(Node node, int next) {
            try {
                return build(node, next);
            } catch (Unsupported tooLarge) {
                return -1;
            }
        }

        private int build(Node node, int next) {
            if (node instanceof Chars chars) {
                int s = newState();
                int[] triples = new int[chars.ranges().length / 2 * 3];
                for (int k = 0, t = 0; k < chars.ranges().length; k += 2) {
                    triples[t++] = chars.ranges()[k];
                    triples[t++] = chars.ranges()[k + 1];
                    triples[t++] = next;
                }
                ranges.set(s, triples);
                return s;
            }
            if (node instanceof Seq seq) {
                int at = next;
                for (int k = seq.parts().size() - 1; k >= 0; k--) {
                    at = build(seq.parts().get(k), at);
                }
                return at;
            }
            if (node instanceof Alt alt) {
                int s = newState();
                for (Node option : alt.options()) {
                    addEpsilon(s, build(option, next));
                }
                return s;
            }
            Repeat r = (Repeat) node;
            int at;
            if (r.max() < 0) {
                int loop = newState();
                addEpsilon(loop, build(r.node(), loop));
                addEpsilon(loop, next);
                at = loop;
            } else {
                at = next;
                for (int k = 0; k < r.max() - r.min(); k++) {
                    int s = newState();
                    addEpsilon(s, build(r.node(), at));
                    addEpsilon(s, next);
                    at = s;
                }
            }
            for (int k = 0; k < r.min(); k++) {
                at = build(r.node(), at);
            }
            return at;
        }
    }

    /**
     * The NFA determinised lazily: a DFA state is an epsilon-closed set of NFA states, made when first
     * reached. Characters fall into classes (between the NFA's range bounds) that behave alike.
     * Distances to an accepting state are found on demand and kept. Thread-safe (synchronised): it is
     * shared by every matcher of a constraint.
     */
    private static final class Dfa implements CharPattern {
        private static final int UNKNOWN = -2;

        private final Nfa nfa;
        private final int acceptState;
        private final int[] bounds;        // class k is [bounds[k], bounds[k + 1])
        private final int[] classBytes;    // per class: the fewest bytes one of its characters takes in a JSON string
        private final Map<BitKey, Integer> ids = new java.util.HashMap<>();
        private final List<long[]> sets = new ArrayList<>();
        private final List<int[]> transitions = new ArrayList<>();
        private final List<int[]> distances = new ArrayList<>(); // chars, bytes; null until known
        private final int start;

        Dfa(Nfa nfa, int start, int acceptState) {
            this.nfa = nfa;
            this.acceptState = acceptState;
            java.util.TreeSet<Integer> b = new java.util.TreeSet<>(List.of(0, MAX_CP + 1, 0xD800, 0xE000));
            for (int[] triples : nfa.ranges) {
                for (int t = 0; t < triples.length; t += 3) {
                    b.add(triples[t]);
                    b.add(triples[t + 1] + 1);
                }
            }
            bounds = b.stream().mapToInt(Integer::intValue).toArray();
            classBytes = new int[bounds.length - 1];
            for (int k = 0; k < classBytes.length; k++) {
                classBytes[k] = cheapest(bounds[k], bounds[k + 1] - 1);
            }
            long[] initial = new long[(nfa.ranges.size() + 63) >>> 6];
            initial[start >>> 6] |= 1L << start;
            this.start = intern(closure(initial));
        }

        /** The fewest bytes a character of [lo, hi] takes in a JSON string; a large number for surrogates. */
        private static int cheapest(int lo, int hi) {
            if (lo >= 0xD800 && hi <= 0xDFFF) {
                return Lengths.INFINITE;
            }
            int best = Integer.MAX_VALUE;
            for (int[] r : new int[][] {{0x20, 0x21, 1}, {0x23, 0x5B, 1}, {0x5D, 0x7F, 1}, {'"', '"', 2}, {'\\', '\\', 2},
                    {8, 10, 2}, {12, 13, 2}, {0, 0x1F, 6}, {0x80, 0x7FF, 2}, {0x800, 0xFFFF, 3}, {0x10000, MAX_CP, 4}}) {
                if (lo <= r[1] && hi >= r[0]) {
                    best = Math.min(best, r[2]);
                }
            }
            return best;
        }

        private long[] closure(long[] set) {
            long[] out = set.clone();
            java.util.ArrayDeque<Integer> work = new java.util.ArrayDeque<>();
            for (int s = nextSet(out, 0); s >= 0; s = nextSet(out, s + 1)) {
                work.add(s);
            }
            while (!work.isEmpty()) {
                for (int t : nfa.epsilon.get(work.poll())) {
                    if ((out[t >>> 6] & (1L << t)) == 0) {
                        out[t >>> 6] |= 1L << t;
                        work.add(t);
                    }
                }
            }
            return out;
        }

        private static int nextSet(long[] set, int from) {
            int w = from >>> 6;
            if (w >= set.length) {
                return -1;
            }
            long word = set[w] & (-1L << from);
            while (true) {
                if (word != 0) {
                    return (w << 6) + Long.numberOfTrailingZeros(word);
                }
                if (++w == set.length) {
                    return -1;
                }
                word = set[w];
            }
        }

        private int intern(long[] set) {
            BitKey key = new BitKey(set);
            Integer id = ids.get(key);
            if (id == null) {
                id = sets.size();
                ids.put(key, id);
                sets.add(set);
                int[] t = new int[bounds.length - 1];
                Arrays.fill(t, UNKNOWN);
                transitions.add(t);
                distances.add(null);
            }
            return id;
        }

        private int classOf(int cp) {
            int k = Arrays.binarySearch(bounds, cp);
            return k >= 0 ? k : -k - 2;
        }

        /** The DFA state after a character of class {@code k}, or -1 when none. */
        private int step(int state, int k) {
            int t = transitions.get(state)[k];
            if (t != UNKNOWN) {
                return t;
            }
            int cp = bounds[k];
            long[] moved = new long[sets.get(0).length];
            boolean any = false;
            long[] from = sets.get(state);
            for (int s = nextSet(from, 0); s >= 0; s = nextSet(from, s + 1)) {
                int[] triples = nfa.ranges.get(s);
                for (int i = 0; i < triples.length; i += 3) {
                    if (cp >= triples[i] && cp <= triples[i + 1]) {
                        moved[triples[i + 2] >>> 6] |= 1L << triples[i + 2];
                        any = true;
                    }
                }
            }
            t = any && classBytes[k] < Lengths.INFINITE ? intern(closure(moved)) : -1;
            transitions.get(state)[k] = t;
            return t;
        }

        @Override
        public int start() {
            return start;
        }

        @Override
        public synchronized int next(int state, int cp) {
            int t = step(state, classOf(cp));
            return t >= 0 && distance(t)[0] < Lengths.INFINITE ? t : -1;
        }

        @Override
        public synchronized boolean accepting(int state) {
            long[] set = sets.get(state);
            return (set[acceptState >>> 6] & (1L << acceptState)) != 0;
        }

        @Override
        public synchronized int distanceInChars(int state) {
            return distance(state)[0];
        }

        @Override
        public synchronized int distanceInBytes(int state) {
            return distance(state)[1];
        }

        @Override
        public synchronized int[] through(int state, int lo, int hi, int charsAfter) {
            int chars = Lengths.INFINITE;
            int bytes = Lengths.INFINITE;
            for (int k = classOf(lo); k < bounds.length - 1 && bounds[k] <= hi; k++) {
                if (classBytes[k] >= Lengths.INFINITE) {
                    continue;
                }
                int t = step(state, k);
                if (t >= 0 && distance(t)[0] <= charsAfter) {
                    int[] d = distance(t);
                    chars = Math.min(chars, d[0]);
                    bytes = Math.min(bytes, d[1]);
                }
            }
            return new int[] {chars, bytes};
        }

        /** Chars and bytes to the nearest accepting state (Dijkstra on bytes; chars along the same search by BFS). */
        private int[] distance(int state) {
            int[] known = distances.get(state);
            if (known != null) {
                return known;
            }
            int chars = search(state, false);
            int bytes = search(state, true);
            int[] d = {chars, bytes};
            distances.set(state, d);
            return d;
        }

        private int search(int from, boolean bytes) {
            java.util.PriorityQueue<int[]> queue = new java.util.PriorityQueue<>((a, b) -> Integer.compare(a[1], b[1]));
            java.util.Map<Integer, Integer> best = new java.util.HashMap<>();
            queue.add(new int[] {from, 0});
            best.put(from, 0);
            while (!queue.isEmpty()) {
                int[] at = queue.poll();
                if (at[1] > best.get(at[0])) {
                    continue;
                }
                if (accepting(at[0])) {
                    return at[1];
                }
                for (int k = 0; k < bounds.length - 1; k++) {
                    if (classBytes[k] >= Lengths.INFINITE) {
                        continue;
                    }
                    int t = step(at[0], k);
                    if (t < 0) {
                        continue;
                    }
                    int d = at[1] + (bytes ? classBytes[k] : 1);
                    if (d < best.getOrDefault(t, Integer.MAX_VALUE)) {
                        best.put(t, d);
                        queue.add(new int[] {t, d});
                    }
                }
            }
            return Lengths.INFINITE;
        }
    }

    private record BitKey(long[] bits) {
        @Override
        public boolean equals(Object o) {
            return o instanceof BitKey k && Arrays.equals(bits, k.bits);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bits);
        }
    }
}
