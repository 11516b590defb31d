package dev.tandem.models.scheduler;

import dev.tandem.models.kv.BlockTable;
import dev.tandem.models.kv.KvBlocks;
import dev.tandem.models.kv.PrefixHit;
import dev.tandem.models.step.ModelStep;
import java.util.ArrayList;
import java.util.List;

/**
 * Forwards at the shapes the scheduler will use, run before the engine serves so that the first
 * requests do not pay for first-call work (TorchScript's profiling runs, allocator growth, JIT): decode
 * batches of 1, 2, 4, ... up to maxRunning sequences, and one full prefill chunk; each twice. The blocks
 * they write are freed uncached, so nothing of them is ever read.
 */
final class Warmup {
    private static final int PASSES = 2;

    private Warmup() {}

    /** Runs the warm-up forwards; returns the batch sizes (sequences per forward) in the order run. */
    static List<Integer> run(ModelStep step, KvBlocks kv, SchedulerConfig config) {
        List<BlockTable> tables = new ArrayList<>();
        try {
            int prefill = Math.min(config.prefillChunk(), config.maxModelLen());
            BlockTable prefillTable = table(kv, prefill, tables);
            // One block per decoding sequence while the pool has them; beyond, sequences share (their writes are garbage anyway)
            List<BlockTable> decodeTables = new ArrayList<>();
            while (decodeTables.size() < config.maxRunning() && kv.freeBlocks() > 0) {
                decodeTables.add(table(kv, 1, tables));
            }
            if (decodeTables.isEmpty()) {
                decodeTables.add(prefillTable);
            }
            List<Integer> batches = new ArrayList<>();
            for (int batch : batchSizes(config.maxRunning())) {
                List<ModelStep.Chunk> chunks = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    chunks.add(new ModelStep.Chunk(new int[] {0}, 0, decodeTables.get(i % decodeTables.size()).toArray()));
                }
                for (int pass = 0; pass < PASSES; pass++) {
                    step.forward(chunks);
                    batches.add(batch);
                }
            }
            ModelStep.Chunk chunk = new ModelStep.Chunk(new int[prefill], 0, prefillTable.toArray());
            for (int pass = 0; pass < PASSES; pass++) {
                step.forward(List.of(chunk));
                batches.add(1);
            }
            return batches;
        } finally {
            tables.forEach(kv::free);
        }
    }

    /** 1, 2, 4, ... below maxRunning, then maxRunning. */
    static List<Integer> batchSizes(int maxRunning) {
        List<Integer> sizes = new ArrayList<>();
        for (int b = 1; b < maxRunning; b *= 2) {
            sizes.add(b);
        }
        sizes.add(maxRunning);
        return sizes;
    }

    private static BlockTable table(KvBlocks kv, int positions, List<BlockTable> tables) {
        BlockTable table = new BlockTable();
        if (!kv.allocate(table, PrefixHit.NONE, positions)) {
            throw new IllegalStateException("the KV pool of " + kv.totalBlocks() + " blocks cannot hold a warm-up chunk of "
                    + positions + " tokens");
        }
        tables.add(table);
        return table;
    }
}
