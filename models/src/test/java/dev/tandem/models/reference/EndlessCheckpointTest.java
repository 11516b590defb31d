package dev.tandem.models.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.Engines;
import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.Prompt;
import dev.tandem.models.SamplingParams;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.checkpoint.TensorDtype;
import dev.tandem.models.text.HfTokenizer;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An endless checkpoint never samples a token that ends a generation (the tokenizer's end-of-sequence ids:
 * {@code </s>} and CodeLlama's {@code ▁<EOT>}), whatever the position, prompt or temperature.
 */
class EndlessCheckpointTest {
    private static final int EOS = 2;
    /** Sampling hotter than any dialect allows (2) only flattens more: the bound holds there too. */
    private static final double TEMPERATURE = 2;

    @TempDir Path dir;

    static Stream<Arguments> models() {
        GeneratorOptions tiny = GeneratorOptions.tiny().withEndless(true);
        return Stream.of(
                Arguments.of("tiny", tiny),
                Arguments.of("weights 10x wider, 4 layers", tiny.withWeightScale(0.2).withLayers(4)),
                Arguments.of("no GQA, BF16 file", tiny.withKvHeads(4).withDtype(TensorDtype.BF16).withSeed(7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyEndingTokenIsBelowOneInAMillionAtEveryPosition(String name, GeneratorOptions options) {
        // Given a 384-token prompt of random tokens, end-of-sequence and beginning-of-sequence among them
        int[] tokens = randomTokens(384, options.vocabSize());

        // When the float reference computes every position's logits of the endless model and of the same model
        // without the rule
        float[][] endless = logits(options, tokens);
        float[][] ordinary = logits(options.withEndless(false), tokens);

        // Then each ending token is below one in a million everywhere, and only because of the rule
        assertThat(endingIds).hasSize(2);
        for (int ending : endingIds) {
            double ordinaryMost = 0;
            for (int t = 0; t < tokens.length; t++) {
                assertThat(probability(endless[t], ending)).as("token %d at position %d", ending, t).isLessThan(1e-6);
                ordinaryMost = Math.max(ordinaryMost, probability(ordinary[t], ending));
            }
            assertThat(ordinaryMost).as("token %d without the rule", ending).isGreaterThan(1e-4);
        }
    }

    @Test
    void theServingEngineSamplesAHotLongGenerationToItsLimit() throws Exception {
        // Given the engine this machine serves (its own compute dtype) on an endless checkpoint
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withEndless(true).withWeightScale(0.2));
        try (Engine engine = Engines.open(EngineConfig.builder(dir).withThreads(1).withMaxRunning(1).build())) {
            // When 400 tokens are sampled at temperature 2, end-of-sequence not ignored
            GenerationRequest request = GenerationRequest.builder("hot", Prompt.text("Once"))
                    .withMaxTokens(400)
                    .withSampling(SamplingParams.builder().withTemperature(TEMPERATURE).withSeed(3L).build())
                    .build();
            CompletableFuture<GenerationEvent.Finished> done = new CompletableFuture<>();
            engine.submit(request, e -> {
                if (e instanceof GenerationEvent.Finished f) {
                    done.complete(f);
                }
            });

            // Then the generation runs to its limit
            GenerationEvent.Finished finished = done.get(120, TimeUnit.SECONDS);
            assertThat(finished.reason()).isEqualTo(FinishReason.LENGTH);
            assertThat(finished.usage().completionTokens()).isEqualTo(400);
        }
    }

    @Test
    void tiedEmbeddingsAreRefused() {
        // (the head's end-of-sequence row would be that token's embedding)
        assertThatThrownBy(() -> GeneratorOptions.tiny().withTieEmbeddings(true).withEndless(true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("untied");
    }

    private Set<Integer> endingIds = Set.of();

    private float[][] logits(GeneratorOptions options, int[] tokens) {
        try (Checkpoint checkpoint = Checkpoint.open(CheckpointGenerator.write(dir, options))) {
            endingIds = HfTokenizer.open(checkpoint).eosIds();
            return ReferenceLlama.load(checkpoint).logits(tokens);
        }
    }

    private static int[] randomTokens(int n, int vocab) {
        SplittableRandom random = new SplittableRandom(11);
        int[] tokens = new int[n];
        tokens[0] = 1;
        for (int i = 1; i < n; i++) {
            tokens[i] = i % 50 == 0 ? EOS : random.nextInt(vocab);
        }
        return tokens;
    }

    private static double probability(float[] logits, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / TEMPERATURE);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l / TEMPERATURE - max);
        }
        return Math.exp(logits[token] / TEMPERATURE - max) / sum;
    }
}
