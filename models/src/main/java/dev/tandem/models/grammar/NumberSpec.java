package dev.tandem.models.grammar;

/**
 * A JSON number ({@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}), or an integer (no fraction,
 * no exponent). Digits are bounded (16 before the point, 16 after, 2 in the exponent) so that values
 * stay within a double and a random model cannot write digits forever.
 */
final class NumberSpec extends Spec {
    static final int MAX_INT_DIGITS = 16;
    static final int MAX_FRACTION_DIGITS = 16;
    static final int MAX_EXPONENT_DIGITS = 2;

    private static final int MINUS = 0;
    private static final int ZERO = 1;
    private static final int INT = 2;
    private static final int POINT = 3;
    private static final int FRACTION = 4;
    private static final int E = 5;
    private static final int E_SIGN = 6;
    private static final int EXPONENT = 7;

    final boolean integer;

    NumberSpec(boolean integer) {
        this.integer = integer;
    }

    @Override
    void begin(int b, Stack parent, Transitions out) {
        if (b == '-') {
            out.push(parent, new In(this, MINUS, 0));
        } else if (b == '0') {
            out.push(parent, new In(this, ZERO, 1));
        } else if (b >= '1' && b <= '9') {
            out.push(parent, new In(this, INT, 1));
        }
    }

    @Override
    int computeShortest() {
        return 1;
    }

    @Override
    public String toString() {
        return integer ? "integer" : "number";
    }

    record In(NumberSpec spec, int phase, int digits) implements Frame {
        @Override
        public void step(int b, Stack self, Transitions out) {
            boolean digit = b >= '0' && b <= '9';
            In next = switch (phase) {
                case MINUS -> b == '0' ? new In(spec, ZERO, 1) : digit ? new In(spec, INT, 1) : null;
                case ZERO, INT -> digit && phase == INT && digits < MAX_INT_DIGITS ? new In(spec, INT, digits + 1)
                        : b == '.' && !spec.integer ? new In(spec, POINT, 0)
                        : (b == 'e' || b == 'E') && !spec.integer ? new In(spec, E, 0) : null;
                case POINT -> digit ? new In(spec, FRACTION, 1) : null;
                case FRACTION -> digit && digits < MAX_FRACTION_DIGITS ? new In(spec, FRACTION, digits + 1)
                        : b == 'e' || b == 'E' ? new In(spec, E, 0) : null;
                case E -> b == '+' || b == '-' ? new In(spec, E_SIGN, 0) : digit ? new In(spec, EXPONENT, 1) : null;
                case E_SIGN -> digit ? new In(spec, EXPONENT, 1) : null;
                default -> digit && digits < MAX_EXPONENT_DIGITS ? new In(spec, EXPONENT, digits + 1) : null;
            };
            if (next != null) {
                out.replaceTop(self, next);
            }
        }

        @Override
        public boolean canPop() {
            return phase == ZERO || phase == INT || phase == FRACTION || phase == EXPONENT;
        }

        @Override
        public int remaining() {
            return canPop() ? 0 : 1;
        }

        @Override
        public String toString() {
            return spec + "[" + phase + "," + digits + "]";
        }
    }
}
