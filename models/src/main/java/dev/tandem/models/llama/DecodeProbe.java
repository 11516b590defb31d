package dev.tandem.models.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.tandem.models.step.ModelStep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * For benchmarks: times batched greedy decode steps straight on {@link LlamaModel#forward}, without the
 * scheduler (no tokenizer, no events). Each of {@code batch} sequences gets a prompt of
 * {@code promptTokens} tokens, then every step decodes one token for all of them in one forward and
 * takes the device argmax, as the engine does for greedy requests.
 */
public final class DecodeProbe {
    private static final int BLOCK_SIZE = 16;

    private DecodeProbe() {}

    /** Mean time of one decode step and the tokens per second it gives over the whole batch. */
    public record Result(int batch, int steps, double millisPerStep) {
        public double tokensPerSecond() {
            return batch * 1000.0 / millisPerStep;
        }
    }

    /** Runs {@code warmup} untimed then {@code steps} timed decode steps at {@code batch}. */
    public static Result measure(LlamaModel model, int batch, int promptTokens, int warmup, int steps) {
        int perSequence = promptTokens + warmup + steps;
        if (perSequence > model.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("prompt + steps = " + perSequence + " exceed the context window");
        }
        // Each sequence gets consecutive blocks, as a lone sequence does from a fresh pool
        int blocksPerSequence = (perSequence + BLOCK_SIZE - 1) / BLOCK_SIZE;
        try (KvCache cache = model.newCache(batch * blocksPerSequence, BLOCK_SIZE)) {
            List<int[]> tables = new ArrayList<>();
            int vocab = model.config().vocabSize();
            for (int b = 0; b < batch; b++) {
                int[] table = new int[blocksPerSequence];
                for (int i = 0; i < table.length; i++) {
                    table[i] = b * blocksPerSequence + i;
                }
                tables.add(table);
                int[] prompt = new int[promptTokens];
                for (int t = 0; t < promptTokens; t++) {
                    prompt[t] = (7 + 31 * t + 101 * b) % vocab;
                }
                step(model, cache, List.of(new ModelStep.Chunk(prompt, 0, table)));
            }
            long[] next = new long[batch];
            long start = 0;
            for (int s = 0; s < warmup + steps; s++) {
                if (s == warmup) {
                    start = System.nanoTime();
                }
                List<ModelStep.Chunk> chunks = new ArrayList<>(batch);
                for (int b = 0; b < batch; b++) {
                    chunks.add(new ModelStep.Chunk(new int[] {(int) next[b]}, promptTokens + s, tables.get(b)));
                }
                next = step(model, cache, chunks);
            }
            return new Result(batch, steps, (System.nanoTime() - start) / 1e6 / steps);
        }
    }

    /**
     * The floor under any step on this engine: only the step's matrix products (the same weights, in
     * the same order, each times a {@code [batch, in]} activation), none of the rest of the layer. Runs
     * {@code warmup} untimed then {@code steps} timed; the mean time of one step's products.
     */
    public static Result measureProductsOnly(LlamaModel model, int batch, int warmup, int steps) {
        List<NDArray> weights = model.matricesInStepOrder();
        try (NDManager inputs = model.getManager().newSubManager()) {
            Map<Long, NDArray> activations = new HashMap<>();
            for (NDArray w : weights) {
                long in = w.getShape().get(0);
                activations.computeIfAbsent(in, k -> inputs.randomNormal(new Shape(batch, k), w.getDataType()));
            }
            long start = 0;
            for (int s = 0; s < warmup + steps; s++) {
                if (s == warmup) {
                    start = System.nanoTime();
                }
                try (NDManager step = model.getManager().newSubManager()) {
                    NDArray last = null;
                    for (NDArray w : weights) {
                        last = activations.get(w.getShape().get(0)).matMul(w);
                        last.attach(step);
                    }
                    last.get(0, 0).getFloat(); // waits for the device, as a step's read-back does (a GPU runs asynchronously)
                }
            }
            return new Result(batch, steps, (System.nanoTime() - start) / 1e6 / steps);
        }
    }

    private static long[] step(LlamaModel model, KvCache cache, List<ModelStep.Chunk> chunks) {
        try (NDManager step = model.getManager().newSubManager()) {
            return model.forward(step, cache, chunks, false).argMax(1).toLongArray();
        }
    }
}
