package dev.tandem.models.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * ECMA-262 regular expressions (the subset {@link Patterns} lists) as syntax trees over code-point
 * ranges. An unanchored pattern is wrapped in "any characters" on the open side(s), as JSON Schema's
 * {@code pattern} matches anywhere in the string.
 */
final class RegexParser {
    private RegexParser() {}

    /** The tree of {@code regex}; throws {@link Unsupported} or IllegalArgumentException (not a regex). */
    static Node parse(String regex) {
        return new Parser(regex).parseWhole();
    }

    sealed interface Node permits Chars, Seq, Alt, Repeat {}

    /** One character of {@code ranges} (sorted, disjoint lo/hi pairs). */
    record Chars(int[] ranges) implements Node {}

    record Seq(List<Node> parts) implements Node {}

    record Alt(List<Node> options) implements Node {}

    /** max -1: unbounded. */
    record Repeat(Node node, int min, int max) implements Node {}

    /** A construct that is valid but not supported. */
    static final class Unsupported extends RuntimeException {
        Unsupported(String what) {
            super(what, null, false, false);
        }
    }

    static final int MAX_CP = 0x10FFFF;
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
}
