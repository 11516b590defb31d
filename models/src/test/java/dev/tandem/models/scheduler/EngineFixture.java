package dev.tandem.models.scheduler;

import ai.djl.Device;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.ModelInfo;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.kv.FreeMemory;
import dev.tandem.models.kv.KvBudget;
import dev.tandem.models.reference.PagedReferenceStep;
import dev.tandem.models.reference.ReferenceLlama;
import dev.tandem.models.step.ComputeDtype;
import dev.tandem.models.step.ModelStep;
import dev.tandem.models.step.TorchStep;
import dev.tandem.models.text.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Test helpers: an engine over a generated checkpoint (the TorchScript step, or the paged float[]
 * reference), and a listener that records events.
 */
final class EngineFixture {
    private EngineFixture() {}

    /**
     * An engine over the production step, the TorchScript program, on the CPU in the config's compute
     * dtype; "auto" means float32 here (not the machine's choice), so that batching, chunking and cached
     * blocks change logits only by float32 rounding. bfloat16 is loaded as asked, also where it is emulated.
     */
    static LocalEngine open(Path dir, EngineConfig config, Set<Integer> eosIds) {
        return open(dir, config, eosIds, -1);
    }

    /** As {@link #open(Path, EngineConfig, Set)}, with a tokenizer whose decode fails on {@code poisonId}. */
    static LocalEngine open(Path dir, EngineConfig config, Set<Integer> eosIds, int poisonId) {
        ComputeDtype asked = ComputeDtype.parse(config.computeDtype());
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            TorchStep step = TorchStep.load(checkpoint, Device.cpu(), asked == null ? ComputeDtype.FLOAT32 : asked, config.blockSize(), null);
            return start(step, checkpoint, config, eosIds, poisonId);
        }
    }

    /** An engine over the paged float[] reference: every logit bit-exact whatever the batching and the blocks. */
    static LocalEngine openReference(Path dir, EngineConfig config, Set<Integer> eosIds) {
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            return start(new PagedReferenceStep(ReferenceLlama.load(checkpoint), config.blockSize()), checkpoint, config, eosIds, -1);
        }
    }

    /** Sizes the step's KV pool as Engines.open does and starts serving it. */
    static LocalEngine start(ModelStep step, Checkpoint checkpoint, EngineConfig config, Set<Integer> eosIds, int poisonId) {
        int maxModelLen = config.maxModelLen() > 0 ? config.maxModelLen() : checkpoint.config().maxPositionEmbeddings();
        KvBudget budget = KvBudget.choose(new KvBudget.Shape(step.blockSize(), step.bytesPerBlock(), maxModelLen,
                config.maxRunning(), "cpu"), config.kvTokenBudget(), config.kvMemoryFraction(), () -> FreeMemory.bytes(Device.cpu()));
        step.allocateKv(budget.blocks());
        Tokenizer tokenizer = new WithEos(HfTokenizer.open(checkpoint), eosIds, poisonId);
        String dtype = step instanceof TorchStep t ? t.dtype().label() : "float32";
        ModelInfo info = new ModelInfo("tiny", "LlamaForCausalLM", maxModelLen, step.vocabSize(), 0, dtype, "cpu");
        return LocalEngine.start(step, tokenizer, null, info, new SchedulerConfig(config.maxRunning(), config.maxWaiting(),
                config.prefillChunk(), maxModelLen, config.prefixCaching()));
    }

    /** Records a generation's events; {@link #done()} completes with the Finished event. */
    static final class Recorder implements Consumer<GenerationEvent> {
        final List<GenerationEvent.Token> tokens = new ArrayList<>();
        final CompletableFuture<GenerationEvent.Finished> done = new CompletableFuture<>();

        @Override
        public synchronized void accept(GenerationEvent event) {
            if (done.isDone()) {
                throw new AssertionError("event after Finished: " + event);
            }
            if (event instanceof GenerationEvent.Token t) {
                tokens.add(t);
            } else {
                done.complete((GenerationEvent.Finished) event);
            }
        }

        GenerationEvent.Finished finished() {
            try {
                return done.get(60, TimeUnit.SECONDS); // generous: the machine may be busy
            } catch (Exception e) {
                throw new AssertionError("no Finished event", e);
            }
        }

        synchronized int[] ids() {
            return tokens.stream().mapToInt(GenerationEvent.Token::id).toArray();
        }

        synchronized int count() {
            return tokens.size();
        }

        synchronized String text() {
            StringBuilder sb = new StringBuilder();
            tokens.forEach(t -> sb.append(t.text()));
            return sb.toString();
        }

        FinishReason reason() {
            return finished().reason();
        }
    }

    /**
     * The checkpoint's tokenizer with another EOS set (the tiny random model rarely samples the real
     * one), and optionally a token whose decoding throws (to test the engine's error handling).
     */
    record WithEos(HfTokenizer tokenizer, Set<Integer> eosIds, int poisonId) implements Tokenizer, AutoCloseable {
        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            return tokenizer.encode(text, addSpecialTokens);
        }

        @Override
        public String decode(int[] ids) {
            for (int id : ids) {
                if (id == poisonId) {
                    throw new IllegalStateException("cannot decode token " + id);
                }
            }
            return tokenizer.decode(ids);
        }

        @Override
        public String tokenText(int id) {
            return tokenizer.tokenText(id);
        }

        @Override
        public int vocabSize() {
            return tokenizer.vocabSize();
        }

        @Override
        public byte[] tokenBytes(int id) {
            return tokenizer.tokenBytes(id);
        }

        @Override
        public int bosId() {
            return tokenizer.bosId();
        }

        @Override
        public void close() {
            tokenizer.close();
        }
    }
}
