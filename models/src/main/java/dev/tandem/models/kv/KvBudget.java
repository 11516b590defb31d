package dev.tandem.models.kv;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * How many KV blocks the engine takes, decided once at start after the weights are loaded: the blocks
 * an explicit token budget asks for, or else a fraction of the memory free then (vLLM's
 * {@code gpu_memory_utilization}), capped at what {@code maxRunning} sequences of {@code maxModelLen}
 * tokens can ever hold at once. A pool that cannot hold one sequence of {@code maxModelLen} tokens is
 * refused with what to change: every admitted request must be able to finish alone.
 *
 * @param origin how the size was chosen, for the start-up line
 */
public record KvBudget(int blocks, int blockSize, long bytesPerBlock, String origin) {
    private static final double GIB = 1L << 30;

    /**
     * What the pool is sized for.
     *
     * @param device where the pool lives ("cpu", "gpu:0"), for messages
     */
    public record Shape(int blockSize, long bytesPerBlock, int maxModelLen, int maxRunning, String device) {
        public Shape {
            if (blockSize < 1 || bytesPerBlock < 1 || maxModelLen < 1 || maxRunning < 1) {
                throw new IllegalArgumentException("block size, bytes per block, maxModelLen and maxRunning must be >= 1");
            }
        }

        int blocksPerSequence() {
            return (maxModelLen + blockSize - 1) / blockSize;
        }
    }

    /**
     * The pool for {@code shape}: {@code kvTokenBudget} tokens (rounded up to whole blocks) when positive,
     * otherwise {@code memoryFraction} of {@code freeBytes} (read only then).
     *
     * @throws IllegalArgumentException when the pool would not hold one sequence of maxModelLen tokens
     */
    public static KvBudget choose(Shape shape, int kvTokenBudget, double memoryFraction, LongSupplier freeBytes) {
        int perSequence = shape.blocksPerSequence();
        if (kvTokenBudget > 0) {
            int blocks = (kvTokenBudget + shape.blockSize() - 1) / shape.blockSize();
            if (blocks < perSequence) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "kvTokenBudget %,d holds fewer tokens than one sequence of maxModelLen %,d needs (%,d blocks of %d): "
                                + "raise kvTokenBudget to at least %,d or lower maxModelLen to at most %,d",
                        kvTokenBudget, shape.maxModelLen(), perSequence, shape.blockSize(),
                        (long) perSequence * shape.blockSize(), (long) blocks * shape.blockSize()));
            }
            return new KvBudget(blocks, shape.blockSize(), shape.bytesPerBlock(), "kvTokenBudget " + kvTokenBudget);
        }
        if (!(memoryFraction > 0 && memoryFraction <= 1)) {
            throw new IllegalArgumentException("kvMemoryFraction must be in (0, 1], not " + memoryFraction);
        }
        long free = freeBytes.getAsLong();
        long fromMemory = (long) (memoryFraction * free) / shape.bytesPerBlock();
        if (fromMemory < perSequence) {
            long perSequenceBytes = perSequence * shape.bytesPerBlock();
            long tokensThatFit = fromMemory * shape.blockSize();
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "the KV cache would get %.2f of the %.2f GiB free on %s after the weights: %,d tokens, fewer than one "
                            + "sequence of maxModelLen %,d needs (%.3f GiB); raise kvMemoryFraction to at least %.2f, "
                            + "lower maxModelLen to at most %,d, or free memory",
                    memoryFraction, free / GIB, shape.device(), tokensThatFit, shape.maxModelLen(), perSequenceBytes / GIB,
                    Math.min(1.0, Math.ceil(100.0 * perSequenceBytes / Math.max(1, free)) / 100), tokensThatFit));
        }
        long cap = (long) perSequence * shape.maxRunning();
        String origin = String.format(Locale.ROOT, "%.2f of %.2f GiB free on %s after the weights", memoryFraction,
                free / GIB, shape.device());
        if (fromMemory > cap) {
            origin += String.format(Locale.ROOT, ", capped at what %d running sequences of %,d tokens can hold",
                    shape.maxRunning(), shape.maxModelLen());
        }
        long blocks = Math.min(Math.min(fromMemory, cap), Integer.MAX_VALUE / shape.blockSize());
        return new KvBudget((int) blocks, shape.blockSize(), shape.bytesPerBlock(), origin);
    }

    public long tokens() {
        return (long) blocks * blockSize;
    }

    public long bytes() {
        return blocks * bytesPerBlock;
    }

    /** The start-up line: the budget in blocks, tokens and GiB, and where it came from. */
    public String describe() {
        return String.format(Locale.ROOT, "KV cache: %,d blocks of %d tokens = %,d tokens, %.3f GiB (%s)",
                blocks, blockSize, tokens(), bytes() / GIB, origin);
    }
}
