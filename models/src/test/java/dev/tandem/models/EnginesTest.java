package dev.tandem.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.checkpoint.CheckpointException;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.step.DtypeChoice;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The public entry point: a generated HF checkpoint on disk in, a serving engine out. */
class EnginesTest {
    @TempDir Path dir;

    @Test
    void opensACheckpointAndServesTextAndChatPrompts() throws Exception {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2));
        List<String> progress = Collections.synchronizedList(new ArrayList<>());
        try (Engine engine = Engines.open(EngineConfig.builder(dir).withThreads(1).withMaxRunning(2).build(), progress::add)) {
            // The model is described as loaded
            assertThat(engine.model().id()).isEqualTo(dir.getFileName().toString());
            assertThat(engine.model().contextLength()).isEqualTo(512);
            assertThat(engine.model().vocabSize()).isEqualTo(512);
            // in the dtype this machine's CPU runs best (bfloat16 with AVX512_BF16 or AMX, else float32)
            assertThat(engine.model().dtype()).isEqualTo(DtypeChoice.choose("auto", DtypeChoice.Hardware.thisCpu()).dtype().label());
            assertThat(engine.model().parameters()).isEqualTo(checkpointParameters());
            assertThat(engine.model().device()).isEqualTo("cpu");
            assertThat(progress).last().asString().contains("100.0%");

            // A text prompt is tokenized with BOS and streamed back as text
            StringBuilder text = new StringBuilder();
            CompletableFuture<GenerationEvent.Finished> done = new CompletableFuture<>();
            engine.submit(GenerationRequest.greedy("t", Prompt.text("Hello world"), 12), e -> {
                if (e instanceof GenerationEvent.Token t) {
                    text.append(t.text());
                } else {
                    done.complete((GenerationEvent.Finished) e);
                }
            });
            GenerationEvent.Finished finished = done.get(20, TimeUnit.SECONDS);
            int[] promptIds = engine.tokenizer().encode("Hello world", true);
            assertThat(promptIds[0]).isEqualTo(engine.tokenizer().bosId());
            assertThat(finished.usage().promptTokens()).isEqualTo(promptIds.length);
            assertThat(finished.usage().completionTokens()).isBetween(1, 12);
            if (finished.reason() == FinishReason.LENGTH) {
                assertThat(text).isNotEmpty();
            }

            // A chat goes through the checkpoint's prompt format
            Prompt chat = engine.promptFormat().chat(List.of(new ChatMessage("user", "Write a loop")));
            CompletableFuture<GenerationEvent.Finished> chatDone = new CompletableFuture<>();
            engine.submit(GenerationRequest.greedy("c", chat, 4), e -> {
                if (e instanceof GenerationEvent.Finished f) {
                    chatDone.complete(f);
                }
            });
            assertThat(chatDone.get(20, TimeUnit.SECONDS).usage().promptTokens()).isGreaterThan(5);
            assertThat(engine.load().kvTokensTotal()).isEqualTo(2L * 512);
        }
    }

    @Test
    void theKvPoolIsSizedAtStartAndSaidInOneLine() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        List<String> lines = linesLoggedWhile(() -> {
            try (Engine engine = Engines.open(EngineConfig.builder(dir).withThreads(1).withMaxRunning(3).withKvMemoryFraction(0.2).build())) {
                // Free memory is plentiful for the tiny model: the pool holds what 3 sequences of 512 tokens can use
                assertThat(engine.load().kvTokensTotal()).isEqualTo(3L * 512);
            }
        });
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("KV cache: 96 blocks of 16 tokens = 1,536 tokens, ")
                .contains(" GiB (0.20 of ").contains("free on cpu after the weights, capped at what 3 running"));
    }

    /** What Engines logged while {@code run} ran. */
    private static List<String> linesLoggedWhile(Runnable run) {
        Logger logger = (Logger) LoggerFactory.getLogger(Engines.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            run.run();
        } finally {
            logger.detachAppender(lines);
        }
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void settingsThatCannotWorkAreRefusedAtStartSayingWhatToChange() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny()); // a context window of 512
        // A KV budget smaller than one sequence of the served context
        assertThatThrownBy(() -> Engines.open(EngineConfig.builder(dir).withKvTokenBudget(100).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raise kvTokenBudget to at least 512").hasMessageContaining("lower maxModelLen to at most 112");
        // A memory fraction that leaves no room for one sequence
        assertThatThrownBy(() -> Engines.open(EngineConfig.builder(dir).withKvMemoryFraction(1e-9).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("raise kvMemoryFraction to at least").hasMessageContaining("lower maxModelLen");
        // A served context beyond the checkpoint's
        assertThatThrownBy(() -> Engines.open(EngineConfig.builder(dir).withMaxModelLen(1024).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 512");
        // A fraction outside (0, 1]
        assertThatThrownBy(() -> EngineConfig.builder(dir).withKvMemoryFraction(1.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kvMemoryFraction");
        // Lowering maxModelLen as told makes the small budget work, and the served context is the lower one
        try (Engine engine = Engines.open(EngineConfig.builder(dir).withKvTokenBudget(100).withMaxModelLen(112).withThreads(1).build())) {
            assertThat(engine.model().contextLength()).isEqualTo(112);
            assertThat(engine.load().kvTokensTotal()).isEqualTo(112);
            assertThatThrownBy(() -> engine.submit(GenerationRequest.greedy("long", Prompt.tokens(new int[100]), 20), e -> {}))
                    .isInstanceOfSatisfying(InvalidGenerationException.class, e -> assertThat(e.param()).isEqualTo("max_tokens"))
                    .hasMessageContaining("112");
        }
    }

    @Test
    void aTruncatedShardFailsWithTheFileNamedAndNothingLoaded() throws Exception {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        Path weights = dir.resolve("model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.setLength(f.length() - 1000);
        }
        assertThatThrownBy(() -> Engines.open(EngineConfig.defaults(dir)))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model.safetensors");
    }

    @Test
    void badDeviceOrDtypeIsRefusedBeforeLoadingSayingWhatToSet() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        assertThatThrownBy(() -> Engines.open(EngineConfig.builder(dir).withDevice("tpu").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tpu");
        assertThatThrownBy(() -> EngineConfig.builder(dir).withComputeDtype("int4").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int4").hasMessageContaining("engine.dtype");
        // float16 products on a CPU are 15-58x slower than float32: refused, naming what to set instead
        assertThatThrownBy(() -> Engines.open(EngineConfig.builder(dir).withDevice("cpu").withComputeDtype("float16").build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set engine.dtype to");
    }

    @Test
    void theComputeDtypeAndItsReasonAreSaidInOneLineAndFloat32CanBeAsked() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        List<String> lines = linesLoggedWhile(() -> {
            try (Engine engine = Engines.open(EngineConfig.builder(dir).withThreads(1).withComputeDtype("float32").withMaxRunning(1).build())) {
                assertThat(engine.model().dtype()).isEqualTo("float32");
            }
        });
        assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("compute dtype float32 on cpu (set by engine.dtype on a CPU"));
    }

    private long checkpointParameters() {
        try (dev.tandem.models.checkpoint.Checkpoint checkpoint = dev.tandem.models.checkpoint.Checkpoint.open(dir)) {
            return checkpoint.tensorNames().stream().mapToLong(n -> checkpoint.tensor(n).elements()).sum();
        }
    }
}
