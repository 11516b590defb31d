package dev.tandem.models.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A JSON object whose declared properties are written in the schema's order (as OpenAI's structured
 * outputs do): optional ones may be left out, required ones may not; further keys (when additional
 * properties are allowed) come after the declared ones, are plain ASCII names ({@code [A-Za-z0-9_-]+})
 * and never repeat a declared name. {@code {}}, {@code :}, {@code ,} with one optional space after
 * {@code :} and {@code ,}.
 */
final class ObjectSpec extends Spec {
    private static final int OPEN = 0;
    private static final int KEY = 1;
    private static final int COLON = 2;
    private static final int AFTER_COLON = 3;
    private static final int AFTER_SPACE = 4;
    private static final int AFTER_VALUE = 5;
    private static final int AFTER_COMMA = 6;
    private static final int AFTER_COMMA_SPACE = 7;
    /** {@code current} of an additional property. */
    private static final int ADDITIONAL = -2;

    private final int n;
    private final byte[][] keys;      // the quoted JSON key of each property
    private final Spec[] values;
    private final Spec additional;     // null: no further keys
    private final LiteralSpec keyTrie;
    private final int[] propertyAt;    // per trie node: the property whose key ends there, or -1
    private final int[] depth;         // per trie node: bytes from the root
    private final int[][] below;       // per trie node: the properties whose key passes through it, ascending
    private final int[] firstRequired; // per index i: the first required property >= i, or n
    private final int[] requiredTail;  // per index i: bytes of ",\"key\":value" for each required property >= i
    private final String description;

    /** A declared property. */
    record Property(String name, Spec value, boolean required) {}

    ObjectSpec(List<Property> properties, Spec additional) {
        this.n = properties.size();
        this.keys = new byte[n][];
        this.values = new Spec[n];
        this.additional = additional;
        List<byte[]> quoted = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            keys[p] = Json.quote(properties.get(p).name()).getBytes(StandardCharsets.UTF_8);
            values[p] = properties.get(p).value();
            quoted.add(keys[p]);
        }
        this.keyTrie = n == 0 ? null : LiteralSpec.of(quoted, "keys");
        int nodes = n == 0 ? 1 : keyTrie.nodes();
        this.propertyAt = new int[nodes];
        this.depth = new int[nodes];
        Arrays.fill(propertyAt, -1);
        List<List<Integer>> through = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            through.add(new ArrayList<>());
        }
        for (int p = 0; p < n; p++) {
            int node = 0;
            through.get(0).add(p);
            for (int i = 0; i < keys[p].length; i++) {
                node = keyTrie.child(node, keys[p][i] & 0xFF);
                depth[node] = i + 1;
                through.get(node).add(p);
            }
            propertyAt[node] = p;
        }
        this.below = new int[nodes][];
        for (int i = 0; i < nodes; i++) {
            below[i] = through.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        this.firstRequired = new int[n + 1];
        firstRequired[n] = n;
        for (int p = n - 1; p >= 0; p--) {
            firstRequired[p] = properties.get(p).required() ? p : firstRequired[p + 1];
        }
        this.requiredTail = new int[n + 1]; // filled on first use: values' shortest lengths may not be known yet
        Arrays.fill(requiredTail, -1);
        this.description = properties.stream().map(Property::name).toList().toString();
    }

    private int requiredTail(int i) {
        if (requiredTail[i] < 0) {
            int sum = 0;
            for (int p = n - 1; p >= i; p--) {
                if (firstRequired[p] == p) {
                    sum = Lengths.add(sum, 1, keyCost(p));
                }
            }
            requiredTail[i] = sum;
        }
        return requiredTail[i];
    }

    /** {@code "key":value} at its shortest. */
    private int keyCost(int p) {
        return Lengths.add(keys[p].length + 1, values[p].shortest());
    }

    /** After property p's value: the required ones after it and the closing brace. */
    private int afterProperty(int p) {
        return Lengths.add(requiredTail(p + 1), 1);
    }

    /** The last property that may be written next: the first required one from {@code next} on, else the last. */
    private int limit(int next) {
        return firstRequired[next] < n ? firstRequired[next] : n - 1;
    }

    private boolean canClose(int next) {
        return firstRequired[next] == n;
    }

    private boolean freeKeysAllowed(int next) {
        return additional != null && canClose(next);
    }

    /** Some property in [next, limit] has a key through trie node {@code node}. */
    private boolean hasCandidate(int node, int next) {
        if (node < 0 || next >= n) {
            return false;
        }
        int[] ps = below[node];
        int i = Arrays.binarySearch(ps, next);
        i = i >= 0 ? i : -i - 1;
        return i < ps.length && ps[i] <= limit(next);
    }

    /** The keys typed so far (at trie node {@code node}) are exactly a declared name. */
    private boolean isDeclaredName(int node) {
        if (node < 0) {
            return false;
        }
        int end = keyTrie.child(node, '"');
        return end >= 0 && propertyAt[end] >= 0;
    }

    private static boolean isFreeKeyChar(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '-';
    }

    @Override
    void begin(int b, Stack parent, Transitions out) {
        if (b == '{') {
            out.push(parent, new In(this, 0, OPEN, -1, -1, -1));
        }
    }

    @Override
    int computeShortest() {
        return Lengths.add(1, new In(this, 0, OPEN, -1, -1, -1).remaining());
    }

    @Override
    public String toString() {
        return "object" + description;
    }

    /**
     * Inside the object. {@code next}: the first declared property still possible; in a key, {@code node}
     * is its place in the trie of declared keys (-1: none matches) and {@code free} whether it may be a
     * further key (-1: no, 0: not a character yet, 1: yes); {@code current}: the property whose value
     * comes (ADDITIONAL for a further key).
     */
    record In(ObjectSpec spec, int next, int phase, int node, int free, int current) implements Frame {
        @Override
        public void step(int b, Stack self, Transitions out) {
            switch (phase) {
                case OPEN -> {
                    if (b == '}' && spec.canClose(0)) {
                        out.pop(self);
                    } else if (b == '"') {
                        startKey(self, out);
                    }
                }
                case KEY -> key(b, self, out);
                case COLON -> {
                    if (b == ':') {
                        out.replaceTop(self, new In(spec, next, AFTER_COLON, -1, -1, current));
                    }
                }
                case AFTER_COLON -> {
                    if (b == ' ') {
                        out.replaceTop(self, new In(spec, next, AFTER_SPACE, -1, -1, current));
                    } else {
                        value(b, self, out);
                    }
                }
                case AFTER_SPACE -> value(b, self, out);
                case AFTER_VALUE -> {
                    if (b == ',' && (next < spec.n || spec.additional != null)) {
                        out.replaceTop(self, new In(spec, next, AFTER_COMMA, -1, -1, -1));
                    } else if (b == '}' && spec.canClose(next)) {
                        out.pop(self);
                    }
                }
                case AFTER_COMMA -> {
                    if (b == ' ') {
                        out.replaceTop(self, new In(spec, next, AFTER_COMMA_SPACE, -1, -1, -1));
                    } else if (b == '"') {
                        startKey(self, out);
                    }
                }
                default -> {
                    if (b == '"') {
                        startKey(self, out);
                    }
                }
            }
        }

        private void startKey(Stack self, Transitions out) {
            int node = spec.keyTrie == null ? -1 : spec.keyTrie.child(0, '"');
            int freeKey = spec.freeKeysAllowed(next) ? 0 : -1;
            if (spec.hasCandidate(node, next) || freeKey >= 0) {
                out.replaceTop(self, new In(spec, next, KEY, node, freeKey, -1));
            }
        }

        private void key(int b, Stack self, Transitions out) {
            int child = node >= 0 ? spec.keyTrie.child(node, b) : -1;
            if (b == '"') {
                int p = child >= 0 ? spec.propertyAt[child] : -1;
                if (p >= 0) {
                    // a declared key is complete; out of order or already written, it is no further key either
                    if (p >= next && p <= spec.limit(next)) {
                        out.replaceTop(self, new In(spec, next, COLON, -1, -1, p));
                    }
                    return;
                }
                if (free == 1) {
                    out.replaceTop(self, new In(spec, next, COLON, -1, -1, ADDITIONAL));
                    return;
                }
                if (child < 0) {
                    return;
                }
                // a quote inside an escape sequence of a declared key: the key goes on
            }
            int nextFree = free >= 0 && isFreeKeyChar(b) ? 1 : -1;
            if (spec.hasCandidate(child, next) || nextFree >= 0) {
                out.replaceTop(self, new In(spec, next, KEY, child, nextFree, -1));
            }
        }

        private void value(int b, Stack self, Transitions out) {
            Spec value = current >= 0 ? spec.values[current] : spec.additional;
            int after = current >= 0 ? current + 1 : spec.n;
            value.begin(b, new Stack(new In(spec, after, AFTER_VALUE, -1, -1, -1), self.rest), out);
        }

        @Override
        public boolean canPop() {
            return false;
        }

        @Override
        public int remaining() {
            return switch (phase) {
                case OPEN -> spec.canClose(0) ? 1 : firstKeyCost(0);
                case KEY -> keyRemaining();
                case COLON -> Lengths.add(1, valueAndAfter());
                case AFTER_COLON, AFTER_SPACE -> valueAndAfter();
                case AFTER_VALUE -> Lengths.add(spec.requiredTail(next), 1);
                default -> {
                    if (spec.firstRequired[next] < spec.n) {
                        yield firstKeyCost(next);
                    }
                    int best = Lengths.INFINITE;
                    for (int p = next; p < spec.n; p++) {
                        best = Math.min(best, Lengths.add(spec.keyCost(p), 1));
                    }
                    if (spec.additional != null) {
                        best = Math.min(best, Lengths.add(3 + 1, spec.additional.shortest(), 1));
                    }
                    yield best;
                }
            };
        }

        /** The first required property from {@code from} on, with everything after it. */
        private int firstKeyCost(int from) {
            int r = spec.firstRequired[from];
            return Lengths.add(spec.keyCost(r), spec.afterProperty(r));
        }

        private int valueAndAfter() {
            if (current >= 0) {
                return Lengths.add(spec.values[current].shortest(), spec.afterProperty(current));
            }
            return Lengths.add(spec.additional.shortest(), 1);
        }

        private int keyRemaining() {
            int best = Lengths.INFINITE;
            if (node >= 0) {
                int limit = spec.limit(next);
                for (int p : spec.below[node]) {
                    if (p >= next && p <= limit) {
                        int rest = spec.keys[p].length - spec.depth[node];
                        best = Math.min(best, Lengths.add(rest + 1, spec.values[p].shortest(), spec.afterProperty(p)));
                    }
                }
            }
            if (free >= 0) {
                int extra = free == 0 || spec.isDeclaredName(node) ? 1 : 0;
                best = Math.min(best, Lengths.add(extra + 2, spec.additional.shortest(), 1));
            }
            return best;
        }

        @Override
        public String toString() {
            return "object[" + next + "," + phase + "," + node + "," + free + "," + current + "]";
        }
    }
}
