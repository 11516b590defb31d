package dev.tandem.server.api;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Sampling;

/** Builds {@link Sampling} from the fields both OpenAI endpoints share, checking each range. */
public final class SamplingChecks {
    private SamplingChecks() {}

    public static Sampling openAi(Double temperature, Double topP, Integer topK, Double minP, Long seed,
            Double presencePenalty, Double frequencyPenalty, Double repetitionPenalty, Boolean ignoreEos,
            Integer minTokens, int maxTokens) {
        Params.range(temperature, 0, 2, "temperature");
        topP(topP);
        Integer k = topK(topK);
        Params.range(minP, 0, 1, "min_p");
        Params.range(presencePenalty, -2, 2, "presence_penalty");
        Params.range(frequencyPenalty, -2, 2, "frequency_penalty");
        repetitionPenalty(repetitionPenalty);
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

    public static void topP(Double topP) {
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw ApiException.invalid("top_p", "'top_p' must be greater than 0 and at most 1, got " + topP + ".");
        }
    }

    /** -1 (vLLM) and 0 both mean "no top-k". */
    public static Integer topK(Integer topK) {
        if (topK == null) {
            return null;
        }
        if (topK < -1) {
            throw ApiException.invalid("top_k", "'top_k' must be -1 or 0 (off) or a positive number, got " + topK + ".");
        }
        return Math.max(0, topK);
    }

    public static void repetitionPenalty(Double v) {
        if (v != null && !(v > 0 && v <= 10)) {
            throw ApiException.invalid("repetition_penalty", "'repetition_penalty' must be greater than 0 and at most 10, got " + v + ".");
        }
    }

    public static int minTokens(Integer minTokens, int maxTokens) {
        if (minTokens == null) {
            return 0;
        }
        if (minTokens < 0 || minTokens > maxTokens) {
            throw ApiException.invalid("min_tokens", "'min_tokens' must be between 0 and max_tokens (" + maxTokens + "), got " + minTokens + ".");
        }
        return minTokens;
    }
}
