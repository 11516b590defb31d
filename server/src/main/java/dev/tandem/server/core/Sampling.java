package dev.tandem.server.core;

import dev.tandem.models.SamplingParams;
import java.util.List;
import java.util.Map;

/**
 * Sampling as the caller asked; a null field means "the backend's default". Built with
 * {@link #builder()}. The ranges are checked here, once, by the engine's own rules
 * ({@link SamplingParams}): a value out of range is the caller's 400, naming the field. (What a
 * dialect allows beyond that, such as OpenAI's temperature up to 2 and Anthropic's up to 1, its edge
 * checks.) Like vLLM's SamplingParams it also holds what decides when a generation stops besides its
 * stop strings: {@code ignoreEos}, {@code minTokens} and {@code stopTokenIds}.
 *
 * @param logitBias OpenAI's logit_bias: token id (of the serving model's vocabulary) to a bias in [-100, 100]
 * @param stopTokenIds vLLM's stop_token_ids: token ids that end the generation (of the serving model's vocabulary)
 */
public record Sampling(
        Double temperature,
        Double topP,
        Integer topK,
        Double minP,
        Long seed,
        Double presencePenalty,
        Double frequencyPenalty,
        Double repetitionPenalty,
        boolean ignoreEos,
        int minTokens,
        Map<Integer, Double> logitBias,
        List<Integer> stopTokenIds) {

    /** Nothing asked: every backend default. */
    public static final Sampling DEFAULTS = builder().build();

    public Sampling {
        logitBias = Map.copyOf(logitBias);
        stopTokenIds = List.copyOf(stopTokenIds);
        try {
            params(SamplingParams.GREEDY, temperature, topP, topK, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty,
                    logitBias);
        } catch (IllegalArgumentException outOfRange) {
            // the engine's message names the field first: "top_p must be in (0, 1]"
            String field = outOfRange.getMessage().split(" ", 2)[0];
            throw ApiException.invalid(field, "'" + field + "'" + outOfRange.getMessage().substring(field.length()) + ".");
        }
    }

    /** What the engine runs: these settings over {@code defaults} (what the caller left unset). */
    public SamplingParams over(SamplingParams defaults) {
        return params(defaults, temperature, topP, topK, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty,
                logitBias);
    }

    /**
     * The sampling of choice {@code index} of the n one request asks for: with a seed, choice i is
     * seeded {@code seed + i}, so that the choices differ and each is reproducible on its own.
     */
    public Sampling forChoice(int index) {
        return seed == null || index == 0 ? this : toBuilder().withSeed(seed + index).build();
    }

    private static SamplingParams params(SamplingParams defaults, Double temperature, Double topP, Integer topK, Double minP,
            Long seed, Double presencePenalty, Double frequencyPenalty, Double repetitionPenalty, Map<Integer, Double> logitBias) {
        SamplingParams.Builder b = defaults.toBuilder();
        if (!logitBias.isEmpty()) {
            b.withLogitBias(logitBias);
        }
        if (temperature != null) {
            b.withTemperature(temperature);
        }
        if (topP != null) {
            b.withTopP(topP);
        }
        if (topK != null) {
            b.withTopK(topK);
        }
        if (minP != null) {
            b.withMinP(minP);
        }
        if (seed != null) {
            b.withSeed(seed);
        }
        if (presencePenalty != null) {
            b.withPresencePenalty(presencePenalty);
        }
        if (frequencyPenalty != null) {
            b.withFrequencyPenalty(frequencyPenalty);
        }
        if (repetitionPenalty != null) {
            b.withRepetitionPenalty(repetitionPenalty);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .withTemperature(temperature)
                .withTopP(topP)
                .withTopK(topK)
                .withMinP(minP)
                .withSeed(seed)
                .withPresencePenalty(presencePenalty)
                .withFrequencyPenalty(frequencyPenalty)
                .withRepetitionPenalty(repetitionPenalty)
                .withIgnoreEos(ignoreEos)
                .withMinTokens(minTokens)
                .withLogitBias(logitBias)
                .withStopTokenIds(stopTokenIds);
    }

    /** Deterministic: greedy, or seeded. Such requests may be answered from the cache. */
    public boolean deterministic() {
        return (temperature != null && temperature == 0) || seed != null;
    }

    public static final class Builder {
        private Double temperature;
        private Double topP;
        private Integer topK;
        private Double minP;
        private Long seed;
        private Double presencePenalty;
        private Double frequencyPenalty;
        private Double repetitionPenalty;
        private boolean ignoreEos;
        private int minTokens;
        private Map<Integer, Double> logitBias = Map.of();
        private List<Integer> stopTokenIds = List.of();

        private Builder() {}

        public Builder withTemperature(Double v) {
            temperature = v;
            return this;
        }

        public Builder withTopP(Double v) {
            topP = v;
            return this;
        }

        public Builder withTopK(Integer v) {
            topK = v;
            return this;
        }

        public Builder withMinP(Double v) {
            minP = v;
            return this;
        }

        public Builder withSeed(Long v) {
            seed = v;
            return this;
        }

        public Builder withPresencePenalty(Double v) {
            presencePenalty = v;
            return this;
        }

        public Builder withFrequencyPenalty(Double v) {
            frequencyPenalty = v;
            return this;
        }

        public Builder withRepetitionPenalty(Double v) {
            repetitionPenalty = v;
            return this;
        }

        /** vLLM's ignore_eos: generate to max_tokens. */
        public Builder withIgnoreEos(boolean v) {
            ignoreEos = v;
            return this;
        }

        /** vLLM's min_tokens: no stop before this many tokens. */
        public Builder withMinTokens(int v) {
            minTokens = v;
            return this;
        }

        /** OpenAI's logit_bias: token id to bias. */
        public Builder withLogitBias(Map<Integer, Double> v) {
            logitBias = v;
            return this;
        }

        /** vLLM's stop_token_ids. */
        public Builder withStopTokenIds(List<Integer> v) {
            stopTokenIds = v;
            return this;
        }

        public Sampling build() {
            return new Sampling(temperature, topP, topK, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty,
                    ignoreEos, minTokens, logitBias, stopTokenIds);
        }
    }
}
