package dev.tandem.models.grammar;

/**
 * A JSON string: {@code "}, characters (UTF-8 checked byte by byte: no overlong forms, no surrogates;
 * control characters only escaped; {@code \\u} escapes of surrogates refused), {@code "}. Lengths count
 * characters (code points) as JSON Schema does; a pattern, when given, is matched against the decoded
 * characters.
 */
final class StringSpec extends Spec {
    private static final int CONTENT = 0;
    private static final int ESCAPE = 1;
    private static final int HEX = 2;
    private static final int UTF8 = 3;

    /** Continuation byte ranges: what may follow a lead byte (RFC 3629's table). */
    private static final int[] RANGE_LO = {0x80, 0xA0, 0x80, 0x90, 0x80};
    private static final int[] RANGE_HI = {0xBF, 0xBF, 0x9F, 0xBF, 0x8F};

    final int minLength;
    /** -1: no limit. */
    final int maxLength;
    /** Null: any characters. */
    final CharPattern pattern;
    private final boolean counts;

    StringSpec(int minLength, int maxLength, CharPattern pattern) {
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.pattern = pattern;
        this.counts = minLength > 0 || maxLength >= 0;
    }

    static StringSpec any() {
        return new StringSpec(0, -1, null);
    }

    @Override
    void begin(int b, Stack parent, Transitions out) {
        if (b == '"') {
            out.push(parent, new In(this, 0, CONTENT, 0, pattern == null ? 0 : pattern.start()));
        }
    }

    @Override
    int computeShortest() {
        return Lengths.add(2, contentLength(0, pattern == null ? 0 : pattern.start()));
    }

    /** Bytes of the shortest content that completes a string of {@code chars} characters in pattern state {@code dfa}. */
    private int contentLength(int chars, int dfa) {
        if (pattern != null) {
            int chars0 = pattern.distanceInChars(dfa);
            int bytes = pattern.distanceInBytes(dfa);
            return Math.max(0, minLength - chars - chars0) + bytes; // the pattern's shortest, padded to minLength
        }
        return Math.max(0, minLength - chars);
    }

    private boolean roomFor(int chars) {
        return maxLength < 0 || chars < maxLength;
    }

    /**
     * Inside the string. {@code chars}: characters so far (0 when nothing counts them); {@code mode}: in
     * plain content, after a backslash, in a {@code \\u} escape ({@code aux}: digits read << 16 | value),
     * or inside a multi-byte character ({@code aux}: code point so far << 8 | bytes still needed << 4 |
     * range of the next byte); {@code dfa}: the pattern's state.
     */
    record In(StringSpec spec, int chars, int mode, int aux, int dfa) implements Frame {
        @Override
        public void step(int b, Stack self, Transitions out) {
            switch (mode) {
                case CONTENT -> content(b, self, out);
                case ESCAPE -> {
                    int cp = switch (b) {
                        case '"', '\\', '/' -> b;
                        case 'b' -> '\b';
                        case 'f' -> '\f';
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        case 't' -> '\t';
                        case 'u' -> -2;
                        default -> -1;
                    };
                    if (cp == -2) {
                        partial(new In(spec, chars, HEX, 0, dfa), self, out);
                    } else if (cp >= 0) {
                        character(cp, self, out);
                    }
                }
                case HEX -> {
                    int digit = Character.digit(b, 16);
                    if (digit < 0) {
                        return;
                    }
                    int read = (aux >>> 16) + 1;
                    int value = ((aux & 0xFFFF) << 4) | digit;
                    if (read == 2 && value >= 0xD8 && value <= 0xDF) {
                        return; // a surrogate: lone halves are not characters
                    }
                    if (read == 4) {
                        character(value, self, out);
                    } else {
                        partial(new In(spec, chars, HEX, (read << 16) | value, dfa), self, out);
                    }
                }
                default -> {
                    int range = aux & 0xF;
                    if (b < RANGE_LO[range] || b > RANGE_HI[range]) {
                        return;
                    }
                    int cp = ((aux >>> 8) << 6) | (b & 0x3F);
                    int need = ((aux >>> 4) & 0xF) - 1;
                    if (need == 0) {
                        character(cp, self, out);
                    } else {
                        partial(new In(spec, chars, UTF8, (cp << 8) | (need << 4), dfa), self, out);
                    }
                }
            }
        }

        private void content(int b, Stack self, Transitions out) {
            if (b == '"') {
                if (chars >= spec.minLength && (spec.pattern == null || spec.pattern.accepting(dfa))) {
                    out.pop(self);
                }
                return;
            }
            if (b < 0x20 || !spec.roomFor(chars)) {
                return;
            }
            if (b == '\\') {
                partial(new In(spec, chars, ESCAPE, 0, dfa), self, out);
            } else if (b < 0x80) {
                character(b, self, out);
            } else if (b >= 0xC2 && b <= 0xDF) {
                partial(new In(spec, chars, UTF8, ((b & 0x1F) << 8) | (1 << 4), dfa), self, out);
            } else if (b >= 0xE0 && b <= 0xEF) {
                int range = b == 0xE0 ? 1 : b == 0xED ? 2 : 0;
                partial(new In(spec, chars, UTF8, ((b & 0x0F) << 8) | (2 << 4) | range, dfa), self, out);
            } else if (b >= 0xF0 && b <= 0xF4) {
                int range = b == 0xF0 ? 3 : b == 0xF4 ? 4 : 0;
                partial(new In(spec, chars, UTF8, ((b & 0x07) << 8) | (3 << 4) | range, dfa), self, out);
            }
        }

        /** A character begun: with a pattern, only if some way to finish it keeps the pattern (and maxLength) alive. */
        private void partial(In next, Stack self, Transitions out) {
            if (spec.pattern != null) {
                if (next.through()[0] >= Lengths.INFINITE) {
                    return; // no way to finish this character keeps the pattern (within maxLength) alive
                }
            }
            out.replaceTop(self, next);
        }

        /** After a backslash, with a pattern: the shortest escape the pattern takes, and the way on after it. */
        private int escapeRemaining() {
            int best = Lengths.add(5, spec.pattern.through(dfa, 0, 0xFFFF, charsAfter())[1]); // u and four hex digits
            for (int c : new int[] {'"', '\\', '/', '\b', '\f', '\n', '\r', '\t'}) {
                int t = spec.pattern.next(dfa, c);
                if (t >= 0 && spec.pattern.distanceInChars(t) <= charsAfter()) {
                    best = Math.min(best, Lengths.add(1, spec.pattern.distanceInBytes(t)));
                }
            }
            return best;
        }

        /** The code points this unfinished character may still become: [lo, hi]. */
        private int[] interval() {
            return switch (mode) {
                case ESCAPE -> new int[] {0, 0xFFFF};
                case HEX -> {
                    int read = aux >>> 16;
                    int lo = (aux & 0xFFFF) << (4 * (4 - read));
                    yield new int[] {lo, lo | ((1 << (4 * (4 - read))) - 1)};
                }
                default -> {
                    int need = (aux >>> 4) & 0xF;
                    int range = aux & 0xF;
                    int base = (aux >>> 8) << (6 * need);
                    int shift = 6 * (need - 1);
                    int lo = base | ((RANGE_LO[range] & 0x3F) << shift);
                    int hi = base | ((RANGE_HI[range] & 0x3F) << shift) | ((1 << shift) - 1);
                    yield new int[] {lo, hi};
                }
            };
        }

        /** With a pattern: (chars, bytes) after this unfinished character to the nearest accepting state. */
        private int[] through() {
            int[] range = interval();
            return spec.pattern.through(dfa, range[0], range[1], charsAfter());
        }

        /** Characters maxLength leaves after the one being written. */
        private int charsAfter() {
            return spec.maxLength < 0 ? Lengths.INFINITE : spec.maxLength - chars - 1;
        }

        /** One whole character {@code cp} was read. */
        private void character(int cp, Stack self, Transitions out) {
            if (mode == CONTENT && !spec.counts && spec.pattern == null) {
                out.replaceTop(self, this); // the common case: nothing to count, nothing changes
                return;
            }
            int nextDfa = dfa;
            int nextChars = spec.counts ? chars + 1 : 0;
            if (spec.pattern != null) {
                nextDfa = spec.pattern.next(dfa, cp);
                if (nextDfa < 0) {
                    return;
                }
                // the pattern must still be able to end within maxLength
                if (spec.maxLength >= 0 && chars + 1 + spec.pattern.distanceInChars(nextDfa) > spec.maxLength) {
                    return;
                }
            }
            In next = new In(spec, nextChars, CONTENT, 0, nextDfa);
            out.replaceTop(self, next.equals(this) ? this : next);
        }

        @Override
        public boolean canPop() {
            return false;
        }

        @Override
        public int remaining() {
            int inChar = switch (mode) {
                case CONTENT -> 0;
                case ESCAPE -> 1;
                case HEX -> 4 - (aux >>> 16);
                default -> (aux >>> 4) & 0xF;
            };
            if (inChar == 0) {
                return Lengths.add(spec.contentLength(chars, dfa), 1);
            }
            if (spec.pattern != null) {
                return Lengths.add(mode == ESCAPE ? escapeRemaining() : Lengths.add(inChar, through()[1]), 1);
            }
            return Lengths.add(inChar, spec.contentLength(chars + 1, dfa), 1);
        }

        @Override
        public boolean counted() {
            return spec.counts;
        }

        @Override
        public Object key(int clamp) {
            if (!spec.counts) {
                return this;
            }
            int toMax = spec.maxLength < 0 ? -1 : Frame.clamp(spec.maxLength - chars, clamp);
            return new Key(spec, Frame.clamp(spec.minLength - chars, clamp), toMax, mode, aux, dfa);
        }

        @Override
        public String toString() {
            return "string[" + chars + "," + mode + "]";
        }
    }

    record Key(StringSpec spec, int toMin, int toMax, int mode, int aux, int dfa) {}
}
