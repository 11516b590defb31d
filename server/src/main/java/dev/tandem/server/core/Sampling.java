package dev.tandem.server.core;

/**
 * Sampling as the caller asked; a null field means "the backend's default". Built with
 * {@link #builder()}; ranges are checked at the dialect edge.
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
        int minTokens) {

    /** Nothing asked: every backend default. */
    public static final Sampling DEFAULTS = builder().build();

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
                .withMinTokens(minTokens);
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

        public Sampling build() {
            return new Sampling(temperature, topP, topK, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty,
                    ignoreEos, minTokens);
        }
    }
}
