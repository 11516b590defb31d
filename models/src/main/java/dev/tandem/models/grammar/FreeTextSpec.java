package dev.tandem.models.grammar;

import java.nio.charset.StandardCharsets;

/**
 * Free text until a marker (a tool call's start, as {@code [TOOL_CALLS]}); after the marker, {@code
 * after} is required. The marker is followed with a KMP automaton, so text may hold its prefixes; the
 * text may end at any time.
 */
final class FreeTextSpec extends Spec {
    private final byte[] marker;
    private final int[][] delta; // [matched so far][byte] -> matched after it
    private final SeqSpec after;

    FreeTextSpec(String marker, SeqSpec after) {
        this.marker = marker.getBytes(StandardCharsets.UTF_8);
        this.after = after;
        int m = this.marker.length;
        delta = new int[m][256];
        delta[0][this.marker[0] & 0xFF] = 1;
        int fallback = 0;
        for (int k = 1; k < m; k++) {
            delta[k] = delta[fallback].clone();
            delta[k][this.marker[k] & 0xFF] = k + 1;
            fallback = delta[fallback][this.marker[k] & 0xFF];
        }
    }

    @Override
    void begin(int b, Stack parent, Transitions out) {
        Text start = new Text(this, 0);
        start.step(b, new Stack(start, parent), out);
    }

    @Override
    boolean computeNullable() {
        return true;
    }

    @Override
    int computeShortest() {
        return 0;
    }

    @Override
    public String toString() {
        return "text until " + new String(marker, StandardCharsets.UTF_8);
    }

    /** In the text, {@code matched} bytes of the marker just written. */
    record Text(FreeTextSpec spec, int matched) implements Frame {
        @Override
        public void step(int b, Stack self, Transitions out) {
            int m = spec.delta[matched][b];
            if (m == spec.marker.length) {
                out.push(self.rest, new SeqSpec.At(spec.after, 0));
            } else {
                out.replaceTop(self, m == matched ? this : new Text(spec, m));
            }
        }

        @Override
        public boolean canPop() {
            return true;
        }

        @Override
        public int remaining() {
            return 0;
        }

        @Override
        public String toString() {
            return "text[" + matched + "]";
        }
    }
}
