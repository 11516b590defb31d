package dev.tandem.models.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * JSON Schema {@code pattern}s (ECMA-262 regular expressions, unanchored unless they start with
 * {@code ^} / end with {@code $}) and some {@code format}s as character automata. Supported: literals,
 * {@code .}, classes ({@code [a-z]}, {@code [^…]}, {@code \d \w \s} and their negations), groups
 * ({@code (…)}, {@code (?:…)}, {@code (?<name>…)}), alternation, quantifiers ({@code * + ? {n} {n,}
 * {n,m}}, lazy or not), escapes ({@code \n \t \r \f \v \0 \xHH \\uHHHH}). Not supported (the pattern is
 * refused): back-references, look-around, word boundaries, anchors inside the pattern.
 */
final class Patterns {
    /** Automata above this many states are refused (a {n,m} with large bounds). */
    static final int MAX_STATES = 20_000;

    /**
     * Formats enforced through a pattern, each a subset of what the format allows (days up to 28, so
     * that every date exists; lower-case hex in uuids; a plain subset of e-mail addresses under five common top-level domains, as validators check those against the real list).
     */
    static final Map<String, String> FORMATS = Map.of(
            "date", "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
            "time", "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])$",
            "date-time", "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                    + "(\\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])$",
            "uuid", "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            "ipv4", "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$",
            "email", "^[a-z0-9]+([._-][a-z0-9]+)*@[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*\\.(com|org|net|io|dev)$");

    private Patterns() {}

    /**
     * The automaton of {@code regex}, or null when it uses a construct that is not supported.
     *
     * @throws InvalidSchemaException when it is not a regular expression at all
     */
    static CharPattern compile(String regex, String path) {
        Node ast;
        try {
            ast = new Parser(regex).parseWhole();
        } catch (Unsupported e) {
            return null;
        } catch (IllegalArgumentException e) {
            throw new InvalidSchemaException(path, "'" + regex + "' is not a regular expression: " + e.getMessage());
        }
        Nfa nfa = new Nfa();
        int accept = nfa.newState();
        int start = nfa.compile(ast, accept);
        if (start < 0) {
            return null;
        }
        return new Dfa(nfa, start, accept);
    }

    // ---- syntax ----

    private sealed interface Node permits Chars, Seq, Alt, Repeat {}

    /** One character of {@code ranges} (sorted, disjoint lo/hi pairs). */
    private record Chars(int[] ranges) implements Node {}

    private record Seq(List<Node> parts) implements Node {}

    private record Alt(List<Node> options) implements Node {}

    /** max -1: unbounded. */
    private record Repeat(Node node, int min, int max) implements Node {}

    private static final class Unsupported extends RuntimeException {
        Unsupported(String what) {
            super(what, null, false, false);
        }
    }

    private static final int MAX_CP = 0x10FFFF;
    private static final int[] ANY = {0, MAX_CP};
    private static final int[] DOT = complement(new int[] {'\n', '\n', '\r', '\r', 0x2028, 0x2029});
    private static final int[] DIGIT = {'0', '9'};
    private static final int[] WORD = {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
    private static final int[] SPACE = {'\t', '\r', ' ', ' ', 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029,
        0x202F, 0x202F, 0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF};

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Node parseWhole() {
            boolean anchoredStart = s.startsWith("^");
            if (anchoredStart) {
                i = 1;
            }
            Node body = alternation();
            boolean anchoredEnd = false;
            if (i < s.length() && s.charAt(i) == '$' && i == s.length() - 1) {
                anchoredEnd = true;
                i++;
            }
            if (i < s.length()) {
                if (s.charAt(i) == ')') {
                    throw new IllegalArgumentException("unbalanced ')' at " + i);
                }
                throw new Unsupported("'$' inside the pattern");
            }
            List<Node> parts = new ArrayList<>();
            if (!anchoredStart) {
                parts.add(new Repeat(new Chars(ANY), 0, -1));
            }
            parts.add(body);
            if (!anchoredEnd) {
                parts.add(new Repeat(new Chars(ANY), 0, -1));
            }
            return new Seq(parts);
        }

        private Node alternation() {
            List<Node> options = new ArrayList<>();
            options.add(sequence());
            while (i < s.length() && s.charAt(i) == '|') {
                i++;
                options.add(sequence());
            }
            return options.size() == 1 ? options.get(0) : new Alt(options);
        }

        private Node sequence() {
            List<Node> parts = new ArrayList<>();
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '|' || c == ')') {
                    break;
                }
                if (c == '$' && i == s.length() - 1) {
                    break; // the end anchor, read by parseWhole
                }
                parts.add(quantified(atom()));
            }
            return new Seq(parts);
        }

        private Node quantified(Node atom) {
            if (i >= s.length()) {
                return atom;
            }
            int min;
            int max;
            char c = s.charAt(i);
            if (c == '*') {
                min = 0;
                max = -1;
                i++;
            } else if (c == '+') {
                min = 1;
                max = -1;
                i++;
            } else if (c == '?') {
                min = 0;
                max = 1;
                i++;
            } else if (c == '{' && s.indexOf('}', i) > i && s.substring(i + 1, s.indexOf('}', i)).matches("\\d+(,\\d*)?")) {
                String[] bounds = s.substring(i + 1, s.indexOf('}', i)).split(",", -1);
                min = Integer.parseInt(bounds[0]);
                max = bounds.length == 1 ? min : bounds[1].isEmpty() ? -1 : Integer.parseInt(bounds[1]);
                if (max >= 0 && max < min) {
                    throw new IllegalArgumentException("{" + min + "," + max + "}: the bounds are out of order");
                }
                i = s.indexOf('}', i) + 1;
            } else {
                return atom;
            }
            if (i < s.length() && s.charAt(i) == '?') {
                i++; // lazy: the same language
            }
            if (i < s.length() && "*+?".indexOf(s.charAt(i)) >= 0) {
                throw new IllegalArgumentException("nothing to repeat at " + i);
            }
            return new Repeat(atom, min, max);
        }

        private Node atom() {
            char c = s.charAt(i++);
            switch (c) {
                case '(' -> {
                    if (s.startsWith("?:", i)) {
                        i += 2;
                    } else if (s.startsWith("?<", i) && i + 2 < s.length() && s.charAt(i + 2) != '=' && s.charAt(i + 2) != '!') {
                        int close = s.indexOf('>', i);
                        if (close < 0) {
                            throw new IllegalArgumentException("unterminated group name");
                        }
                        i = close + 1;
                    } else if (i < s.length() && s.charAt(i) == '?') {
                        throw new Unsupported("look-around");
                    }
                    Node inner = alternation();
                    if (i >= s.length() || s.charAt(i) != ')') {
                        throw new IllegalArgumentException("missing ')'");
                    }
                    i++;
                    return inner;
                }
                case '[' -> {
                    return new Chars(charClass());
                }
                case '.' -> {
                    return new Chars(DOT);
                }
                case '\\' -> {
                    return new Chars(escape(false));
                }
                case '^', '$' -> throw new Unsupported("anchor inside the pattern");
                case '*', '+', '?' -> throw new IllegalArgumentException("nothing to repeat at " + (i - 1));
                case ')' -> throw new IllegalArgumentException("unbalanced ')'");
                default -> {
                    int cp = s.codePointAt(i - 1);
                    i += Character.charCount(cp) - 1;
                    return new Chars(new int[] {cp, cp});
                }
            }
        }

        private int[] charClass() {
            boolean negated = i < s.length() && s.charAt(i) == '^';
            if (negated) {
                i++;
            }
            List<int[]> parts = new ArrayList<>();
            boolean first = true;
            while (true) {
                if (i >= s.length()) {
                    throw new IllegalArgumentException("missing ']'");
                }
                char c = s.charAt(i);
                if (c == ']' && !first) {
                    i++;
                    break;
                }
                first = false;
                int[] lo = classAtom();
                if (lo.length == 2 && lo[0] == lo[1] && i + 1 < s.length() && s.charAt(i) == '-' && s.charAt(i + 1) != ']') {
                    i++;
                    int[] hi = classAtom();
                    if (hi.length != 2 || hi[0] != hi[1] || hi[0] < lo[0]) {
                        throw new IllegalArgumentException("bad range in a character class");
                    }
                    parts.add(new int[] {lo[0], hi[0]});
                } else {
                    parts.add(lo);
                }
            }
            int[] set = union(parts);
            return negated ? complement(set) : set;
        }

        private int[] classAtom() {
            char c = s.charAt(i++);
            if (c == '\\') {
                return escape(true);
            }
            int cp = s.codePointAt(i - 1);
            i += Character.charCount(cp) - 1;
            return new int[] {cp, cp};
        }

        private int[] escape(boolean inClass) {
            if (i >= s.length()) {
                throw new IllegalArgumentException("a lone '\\' at the end");
            }
            char c = s.charAt(i++);
            return switch (c) {
                case 'd' -> DIGIT;
                case 'D' -> complement(DIGIT);
                case 'w' -> WORD;
                case 'W' -> complement(WORD);
                case 's' -> SPACE;
                case 'S' -> complement(SPACE);
                case 'n' -> single('\n');
                case 't' -> single('\t');
                case 'r' -> single('\r');
                case 'f' -> single('\f');
                case 'v' -> single(0x0B);
                case '0' -> single(0);
                case 'b' -> {
                    if (inClass) {
                        yield single('\b');
                    }
                    throw new Unsupported("word boundary");
                }
                case 'B' -> throw new Unsupported("word boundary");
                case 'x' -> single(hex(2));
                case 'u' -> single(hex(4));
                default -> {
                    if (Character.isDigit(c)) {
                        throw new Unsupported("back-reference");
                    }
                    if (Character.isLetter(c)) {
                        throw new Unsupported("escape \\" + c);
                    }
                    yield single(c);
                }
            };
        }

        private int hex(int digits) {
            if (i + digits > s.length()) {
                throw new IllegalArgumentException("a short hex escape");
            }
            int v = Integer.parseInt(s.substring(i, i + digits), 16);
            i += digits;
            return v;
        }
    }

    private static int[] single(int cp) {
        return new int[] {cp, cp};
    }

    /** The union of range sets, sorted and merged. */
    private static int[] union(List<int[]> sets) {
        List<int[]> pairs = new ArrayList<>();
        for (int[] set : sets) {
            for (int k = 0; k < set.length; k += 2) {
                pairs.add(new int[] {set[k], set[k + 1]});
            }
        }
        pairs.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<Integer> out = new ArrayList<>();
        for (int[] p : pairs) {
            int n = out.size();
            if (n > 0 && p[0] <= out.get(n - 1) + 1) {
                out.set(n - 1, Math.max(out.get(n - 1), p[1]));
            } else {
                out.add(p[0]);
                out.add(p[1]);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] complement(int[] set) {
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int k = 0; k < set.length; k += 2) {
            if (set[k] > next) {
                out.add(next);
                out.add(set[k] - 1);
            }
            next = set[k + 1] + 1;
        }
        if (next <= MAX_CP) {
            out.add(next);
            out.add(MAX_CP);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    // ---- automata ----

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
