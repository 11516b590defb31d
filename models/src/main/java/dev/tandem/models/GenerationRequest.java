package dev.tandem.models;

import java.util.Objects;

/**
 * One generation for the engine. Built with {@link #builder(String, Prompt)}; {@link #toBuilder()}
 * changes a copy.
 *
 * @param topLogprobs -1: no logprobs; 0: the chosen token's logprob only; N: with the N most likely
 *     alternatives
 * @param constraint what the output may be (a JSON schema, a tool call); null: free text
 */
public record GenerationRequest(
        String id,
        Prompt prompt,
        int maxTokens,
        SamplingParams sampling,
        StopRules stop,
        int topLogprobs,
        OutputConstraint constraint) {

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

    /** Greedy, default stop rules, no logprobs, unconstrained; 16 tokens unless set. */
    public static Builder builder(String id, Prompt prompt) {
        return new Builder(id, prompt);
    }

    public static GenerationRequest greedy(String id, Prompt prompt, int maxTokens) {
        return builder(id, prompt).withMaxTokens(maxTokens).build();
    }

    public Builder toBuilder() {
        return new Builder(id, prompt)
                .withMaxTokens(maxTokens)
                .withSampling(sampling)
                .withStop(stop)
                .withTopLogprobs(topLogprobs)
                .withConstraint(constraint);
    }

    public static final class Builder {
        private final String id;
        private final Prompt prompt;
        private int maxTokens = 16;
        private SamplingParams sampling = SamplingParams.GREEDY;
        private StopRules stop = StopRules.DEFAULT;
        private int topLogprobs = -1;
        private OutputConstraint constraint;

        private Builder(String id, Prompt prompt) {
            this.id = id;
            this.prompt = prompt;
        }

        public Builder withMaxTokens(int v) {
            maxTokens = v;
            return this;
        }

        public Builder withSampling(SamplingParams v) {
            sampling = v;
            return this;
        }

        public Builder withStop(StopRules v) {
            stop = v;
            return this;
        }

        public Builder withTopLogprobs(int v) {
            topLogprobs = v;
            return this;
        }

        public Builder withConstraint(OutputConstraint v) {
            constraint = v;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(id, prompt, maxTokens, sampling, stop, topLogprobs, constraint);
        }
    }
}
