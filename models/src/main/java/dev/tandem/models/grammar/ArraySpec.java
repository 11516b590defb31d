package dev.tandem.models.grammar;

import java.util.List;

/**
 * A JSON array: {@code [}, items separated by {@code ,} (one optional space after it), {@code ]}. The
 * first items follow {@code prefixItems}, the rest {@code items} (null: no more than the prefix).
 */
final class ArraySpec extends Spec {
    private static final int OPEN = 0;
    private static final int AFTER_ITEM = 1;
    private static final int AFTER_COMMA = 2;
    private static final int AFTER_SPACE = 3;

    private final Spec[] prefix;
    private final Spec items;
    final int minItems;
    /** -1: no limit. */
    final int maxItems;
    private final boolean counts;

    ArraySpec(List<Spec> prefix, Spec items, int minItems, int maxItems) {
        this.prefix = prefix.toArray(Spec[]::new);
        this.items = items;
        this.minItems = minItems;
        int max = maxItems;
        if (items == null) {
            max = max < 0 ? this.prefix.length : Math.min(max, this.prefix.length);
        }
        this.maxItems = max;
        this.counts = minItems > 0 || max >= 0 || this.prefix.length > 0;
    }

    private Spec item(int index) {
        return index < prefix.length ? prefix[index] : items;
    }

    private boolean roomFor(int count) {
        return maxItems < 0 || count < maxItems;
    }

    /** Bytes of items {@code from .. to-1} at their shortest, without separators. */
    private int shortestItems(int from, int to) {
        int sum = 0;
        for (int i = from; i < to && i < prefix.length; i++) {
            sum = Lengths.add(sum, prefix[i].shortest());
        }
        int beyond = to - Math.max(from, prefix.length);
        return beyond > 0 ? Lengths.add(sum, Lengths.times(beyond, items.shortest())) : sum;
    }

    @Override
    void begin(int b, Stack parent, Transitions out) {
        if (b == '[') {
            out.push(parent, new In(this, 0, OPEN));
        }
    }

    @Override
    int computeShortest() {
        return Lengths.add(1, new In(this, 0, OPEN).remaining());
    }

    @Override
    public String toString() {
        return "array";
    }

    record In(ArraySpec spec, int count, int phase) implements Frame {
        @Override
        public void step(int b, Stack self, Transitions out) {
            switch (phase) {
                case OPEN -> {
                    if (b == ']' && spec.minItems == 0) {
                        out.pop(self);
                    } else {
                        item(b, self, out);
                    }
                }
                case AFTER_ITEM -> {
                    if (b == ',' && spec.roomFor(count)) {
                        out.replaceTop(self, new In(spec, count, AFTER_COMMA));
                    } else if (b == ']' && count >= spec.minItems) {
                        out.pop(self);
                    }
                }
                case AFTER_COMMA -> {
                    if (b == ' ') {
                        out.replaceTop(self, new In(spec, count, AFTER_SPACE));
                    } else {
                        item(b, self, out);
                    }
                }
                default -> item(b, self, out);
            }
        }

        private void item(int b, Stack self, Transitions out) {
            if (spec.roomFor(count)) {
                Stack after = new Stack(new In(spec, spec.counts ? count + 1 : 0, AFTER_ITEM), self.rest);
                spec.item(count).begin(b, after, out);
            }
        }

        @Override
        public boolean canPop() {
            return false;
        }

        @Override
        public int remaining() {
            int min = spec.minItems;
            return switch (phase) {
                case OPEN -> min == 0 ? 1 : Lengths.add(spec.shortestItems(0, min), min - 1 + 1);
                case AFTER_ITEM -> {
                    int more = Math.max(0, min - count);
                    yield Lengths.add(spec.shortestItems(count, count + more), more + 1);
                }
                default -> {
                    int more = Math.max(0, min - count - 1);
                    yield Lengths.add(spec.shortestItems(count, count + 1 + more), more + 1);
                }
            };
        }

        @Override
        public boolean counted() {
            return spec.counts;
        }

        @Override
        public Object key(int clamp) {
            if (!spec.counts || count < spec.prefix.length) {
                return this;
            }
            int toMax = spec.maxItems < 0 ? -1 : Frame.clamp(spec.maxItems - count, clamp);
            return new Key(spec, phase, Frame.clamp(spec.minItems - count, clamp), toMax);
        }

        @Override
        public String toString() {
            return "array[" + count + "," + phase + "]";
        }
    }

    record Key(ArraySpec spec, int phase, int toMin, int toMax) {}
}
