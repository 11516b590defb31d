package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Sampling;

/**
 * Builds {@link Sampling} from the fields both OpenAI endpoints share. The ranges the engine defines
 * are {@link Sampling}'s to check; here only what OpenAI's dialect says beyond them: temperature up to
 * 2, top_k -1 for "off" (vLLM), min_tokens within max_tokens.
 */
public final class SamplingChecks {
    private SamplingChecks() {}

    public static Sampling openAi(Double temperature, Double topP, Integer topK, Double minP, Long seed,
            Double presencePenalty, Double frequencyPenalty, Double repetitionPenalty, Boolean ignoreEos,
            Integer minTokens, int maxTokens) {
        Params.range(temperature, 0, 2, "temperature");
        Integer k = topK(topK);
        int min = minTokens(minTokens, maxTokens);
        return Sampling.builder()
                .withTemperature(temperature)
                .withTopP(topP)
                .withTopK(k)
                .withMinP(minP)
                .withSeed(seed)
                .withPresencePenalty(presencePenalty)
                .withFrequencyPenalty(frequencyPenalty)
                .withRepetitionPenalty(repetitionPenalty)
                .withIgnoreEos(Boolean.TRUE.equals(ignoreEos))
                .withMinTokens(min)
                .build();
    }

    /** -1 (vLLM) and 0 both mean "no top-k". */
    private static Integer topK(Integer topK) {
        if (topK == null) {
            return null;
        }
        if (topK < -1) {
            throw ApiException.invalid("top_k", "'top_k' must be -1 or 0 (off) or a positive number, got " + topK + ".");
        }
        return Math.max(0, topK);
    }

    private static int minTokens(Integer minTokens, int maxTokens) {
        if (minTokens == null) {
            return 0;
        }
        if (minTokens < 0 || minTokens > maxTokens) {
            throw ApiException.invalid("min_tokens", "'min_tokens' must be between 0 and max_tokens (" + maxTokens + "), got " + minTokens + ".");
        }
        return minTokens;
    }
}
