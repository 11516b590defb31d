package dev.tandem.models.scheduler;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.ModelInfo;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.llama.LlamaModel;
import dev.tandem.models.text.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Test helpers: an engine over a generated checkpoint, and a listener that records events. */
final class EngineFixture {
    private EngineFixture() {}

    static Engine open(Path dir, EngineConfig config, Set<Integer> eosIds) {
        return open(dir, config, eosIds, -1);
    }

    /** As {@link #open(Path, EngineConfig, Set)}, with a tokenizer whose decode fails on {@code poisonId}. */
    static Engine open(Path dir, EngineConfig config, Set<Integer> eosIds, int poisonId) {
        Checkpoint checkpoint = Checkpoint.open(dir);
        try {
            LlamaModel model = LlamaModel.load(checkpoint, Device.cpu(), DataType.FLOAT32, null);
            Tokenizer tokenizer = new WithEos(HfTokenizer.open(checkpoint), eosIds, poisonId);
            ModelInfo info = new ModelInfo("tiny", "LlamaForCausalLM", model.config().maxPositionEmbeddings(),
                    model.config().vocabSize(), model.parameters(), "float32", "cpu");
            return BatchingEngine.start(model, tokenizer, null, info, config);
        } finally {
            checkpoint.close();
        }
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
                return done.get(20, TimeUnit.SECONDS);
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
