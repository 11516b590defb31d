package dev.tandem.models;

import java.util.Map;

/**
 * How the next token is chosen. Temperature 0 means greedy. {@code topK == 0}, {@code topP == 1},
 * {@code minP == 0} and penalties of 1 / 0 / 0 switch the respective filter off. A seed makes the
 * sequence reproducible regardless of what else shares the batch.
 *
 * @param logitBias OpenAI's {@code logit_bias}: token id to a bias in [-100, 100] added to its logit
 *     before sampling; -100 bans the token outright (empty: none)
 */
public record SamplingParams(
        double temperature,
        int topK,
        double topP,
        double minP,
        Long seed,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty,
        Map<Integer, Double> logitBias) {

    public static final SamplingParams GREEDY = builder().build();
    /** The bias that bans a token. */
    public static final double BAN = -100;

    public SamplingParams {
        check(temperature >= 0 && temperature <= 100 && Double.isFinite(temperature), "temperature must be in [0, 100]");
        check(topK >= 0, "top_k must be >= 0 (0 disables it)");
        check(topP > 0 && topP <= 1, "top_p must be in (0, 1]");
        check(minP >= 0 && minP <= 1, "min_p must be in [0, 1]");
        check(repetitionPenalty > 0 && repetitionPenalty <= 10, "repetition_penalty must be in (0, 10]");
        check(presencePenalty >= -2 && presencePenalty <= 2, "presence_penalty must be in [-2, 2]");
        check(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency_penalty must be in [-2, 2]");
        logitBias = Map.copyOf(logitBias);
        for (Map.Entry<Integer, Double> e : logitBias.entrySet()) {
            check(e.getKey() >= 0, "logit_bias token ids must be >= 0");
            check(e.getValue() >= -100 && e.getValue() <= 100, "logit_bias values must be in [-100, 100]");
        }
    }

    /** Without logit bias (the components before {@code logitBias} existed). */
    public SamplingParams(double temperature, int topK, double topP, double minP, Long seed, double repetitionPenalty,
            double presencePenalty, double frequencyPenalty) {
        this(temperature, topK, topP, minP, seed, repetitionPenalty, presencePenalty, frequencyPenalty, Map.of());
    }

    public boolean greedy() {
        return temperature == 0;
    }

    /** Greedy with every filter and penalty off, unless set. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .withTemperature(temperature)
                .withTopK(topK)
                .withTopP(topP)
                .withMinP(minP)
                .withSeed(seed)
                .withRepetitionPenalty(repetitionPenalty)
                .withPresencePenalty(presencePenalty)
                .withFrequencyPenalty(frequencyPenalty)
                .withLogitBias(logitBias);
    }

    public static final class Builder {
        private double temperature;
        private int topK;
        private double topP = 1;
        private double minP;
        private Long seed;
        private double repetitionPenalty = 1;
        private double presencePenalty;
        private double frequencyPenalty;
        private Map<Integer, Double> logitBias = Map.of();

        private Builder() {}

        public Builder withTemperature(double v) {
            temperature = v;
            return this;
        }

        public Builder withTopK(int v) {
            topK = v;
            return this;
        }

        public Builder withTopP(double v) {
            topP = v;
            return this;
        }

        public Builder withMinP(double v) {
            minP = v;
            return this;
        }

        public Builder withSeed(Long v) {
            seed = v;
            return this;
        }

        public Builder withRepetitionPenalty(double v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder withPresencePenalty(double v) {
            presencePenalty = v;
            return this;
        }

        public Builder withFrequencyPenalty(double v) {
            frequencyPenalty = v;
            return this;
        }

        public Builder withLogitBias(Map<Integer, Double> v) {
            logitBias = v;
            return this;
        }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, seed, repetitionPenalty, presencePenalty, frequencyPenalty,
                    logitBias);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
