package dev.tandem.models.scheduler;

import ai.djl.Device;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.types.DataType;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.ModelInfo;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.llama.LlamaModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Test helpers: an engine over a generated checkpoint, and a listener that records events. */
final class EngineFixture {
    private EngineFixture() {}

    static Engine open(Path dir, EngineConfig config, Set<Integer> eosIds) {
        Checkpoint checkpoint = Checkpoint.open(dir);
        try {
            LlamaModel model = LlamaModel.load(checkpoint, Device.cpu(), DataType.FLOAT32, null);
            Tokenizer tokenizer = new DjlTokenizer(dir.resolve("tokenizer.json"), model.config().vocabSize(), eosIds);
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

    /** DJL's HF tokenizer over the checkpoint's tokenizer.json (until the shared HfTokenizer is merged). */
    static final class DjlTokenizer implements Tokenizer {
        private final HuggingFaceTokenizer hf;
        private final int vocab;
        private final Set<Integer> eos;

        DjlTokenizer(Path json, int vocab, Set<Integer> eos) {
            try {
                this.hf = HuggingFaceTokenizer.newInstance(json, Map.of("addSpecialTokens", "false"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.vocab = vocab;
            this.eos = eos;
        }

        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            long[] ids = hf.encode(text, addSpecialTokens, false).getIds();
            int[] out = Arrays.stream(ids).mapToInt(l -> (int) l).toArray();
            if (addSpecialTokens && (out.length == 0 || out[0] != 1)) {
                int[] withBos = new int[out.length + 1];
                withBos[0] = 1;
                System.arraycopy(out, 0, withBos, 1, out.length);
                return withBos;
            }
            return out;
        }

        @Override
        public String decode(int[] ids) {
            return hf.decode(Arrays.stream(ids).mapToLong(i -> i).toArray(), true);
        }

        @Override
        public String tokenText(int id) {
            return hf.decode(new long[] {id}, false);
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public int bosId() {
            return 1;
        }

        @Override
        public Set<Integer> eosIds() {
            return eos;
        }
    }
}
