package dev.tandem.models;

/**
 * How the next token is chosen. Temperature 0 means greedy. {@code topK == 0}, {@code topP == 1},
 * {@code minP == 0} and penalties of 1 / 0 / 0 switch the respective filter off. A seed makes the
 * sequence reproducible regardless of what else shares the batch.
 */
public record SamplingParams(
        double temperature,
        int topK,
        double topP,
        double minP,
        Long seed,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty) {

    public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, 0, null, 1, 0, 0);

    public SamplingParams {
        check(temperature >= 0 && temperature <= 100 && Double.isFinite(temperature), "temperature must be in [0, 100]");
        check(topK >= 0, "top_k must be >= 0 (0 disables it)");
        check(topP > 0 && topP <= 1, "top_p must be in (0, 1]");
        check(minP >= 0 && minP <= 1, "min_p must be in [0, 1]");
        check(repetitionPenalty > 0 && repetitionPenalty <= 10, "repetition_penalty must be in (0, 10]");
        check(presencePenalty >= -2 && presencePenalty <= 2, "presence_penalty must be in [-2, 2]");
        check(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency_penalty must be in [-2, 2]");
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public SamplingParams withTemperature(double v) {
        return new SamplingParams(v, topK, topP, minP, seed, repetitionPenalty, presencePenalty, frequencyPenalty);
    }

    public SamplingParams withTopK(int v) {
        return new SamplingParams(temperature, v, topP, minP, seed, repetitionPenalty, presencePenalty, frequencyPenalty);
    }

    public SamplingParams withTopP(double v) {
        return new SamplingParams(temperature, topK, v, minP, seed, repetitionPenalty, presencePenalty, frequencyPenalty);
    }

    public SamplingParams withMinP(double v) {
        return new SamplingParams(temperature, topK, topP, v, seed, repetitionPenalty, presencePenalty, frequencyPenalty);
    }

    public SamplingParams withSeed(Long v) {
        return new SamplingParams(temperature, topK, topP, minP, v, repetitionPenalty, presencePenalty, frequencyPenalty);
    }

    public SamplingParams withRepetitionPenalty(double v) {
        return new SamplingParams(temperature, topK, topP, minP, seed, v, presencePenalty, frequencyPenalty);
    }

    public SamplingParams withPresencePenalty(double v) {
        return new SamplingParams(temperature, topK, topP, minP, seed, repetitionPenalty, v, frequencyPenalty);
    }

    public SamplingParams withFrequencyPenalty(double v) {
        return new SamplingParams(temperature, topK, topP, minP, seed, repetitionPenalty, presencePenalty, v);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
