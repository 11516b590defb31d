package dev.tandem.models;

import java.util.Objects;

/**
 * One generation for the engine.
 *
 * @param topLogprobs -1: no logprobs; 0: the chosen token's logprob only; N: with the N most likely
 *     alternatives
 */
public record GenerationRequest(
        String id, Prompt prompt, int maxTokens, SamplingParams sampling, StopRules stop, int topLogprobs) {

    public static final int MAX_TOP_LOGPROBS = 20;

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(stop, "stop");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be >= 1");
        }
        if (topLogprobs < -1 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException("top logprobs must be between 0 and " + MAX_TOP_LOGPROBS);
        }
    }

    public static GenerationRequest greedy(String id, Prompt prompt, int maxTokens) {
        return new GenerationRequest(id, prompt, maxTokens, SamplingParams.GREEDY, StopRules.DEFAULT, -1);
    }

    public GenerationRequest withSampling(SamplingParams v) {
        return new GenerationRequest(id, prompt, maxTokens, v, stop, topLogprobs);
    }

    public GenerationRequest withStop(StopRules v) {
        return new GenerationRequest(id, prompt, maxTokens, sampling, v, topLogprobs);
    }

    public GenerationRequest withTopLogprobs(int v) {
        return new GenerationRequest(id, prompt, maxTokens, sampling, stop, v);
    }
}
