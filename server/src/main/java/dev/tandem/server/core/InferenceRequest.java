package dev.tandem.server.core;

import java.util.List;
import java.util.Objects;

/**
 * One request in the internal model, whatever dialect it came in. Built and validated at the
 * dialect edge ({@link #builder}); the gate, router and backends trust it.
 *
 * @param model the model name the caller asked for
 * @param maxTokensDefaulted the caller sent no max_tokens: {@code maxTokens} is the server's default,
 *     which a backend may lower to the room its context window leaves after the prompt (as vLLM does);
 *     an explicit max_tokens that does not fit is refused instead
 * @param topLogprobs null: no logprobs; 0: chosen token only; N: with N alternatives
 * @param user the caller's end-user id, passed upstream when present
 * @param caller who is calling (the gate replaces it with what it read from the key store)
 * @param policy the routing policy the request itself asks for (it can only narrow the caller's), or null
 */
public record InferenceRequest(
        String requestId,
        Dialect dialect,
        String model,
        Input input,
        int maxTokens,
        boolean maxTokensDefaulted,
        Sampling sampling,
        List<String> stop,
        Integer topLogprobs,
        boolean stream,
        List<ToolSpec> tools,
        String toolChoice,
        String user,
        Caller caller,
        Policy policy) {

    public InferenceRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(caller, "caller");
        stop = List.copyOf(stop);
        tools = List.copyOf(tools);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1");
        }
    }

    /**
     * A request for {@code model} from an anonymous caller: 16 tokens unless set, the backend's default
     * sampling, no stop sequences, no logprobs, no tools, not streamed.
     */
    public static Builder builder(String requestId, Dialect dialect, String model, Input input) {
        return new Builder(requestId, dialect, model, input);
    }

    public Builder toBuilder() {
        return new Builder(requestId, dialect, model, input)
                .withMaxTokens(maxTokens, maxTokensDefaulted)
                .withSampling(sampling)
                .withStop(stop)
                .withTopLogprobs(topLogprobs)
                .withStream(stream)
                .withTools(tools, toolChoice)
                .withUser(user)
                .withCaller(caller)
                .withPolicy(policy);
    }

    /** Tools, tool traffic or images: something only a remote model can serve. */
    public boolean needsRemoteCapabilities() {
        if (!tools.isEmpty()) {
            return true;
        }
        return input instanceof Input.Chat chat
                && chat.messages().stream().anyMatch(m -> !m.textOnly());
    }

    public static final class Builder {
        private String requestId;
        private Dialect dialect;
        private String model;
        private Input input;
        private int maxTokens = 16;
        private boolean maxTokensDefaulted;
        private Sampling sampling = Sampling.DEFAULTS;
        private List<String> stop = List.of();
        private Integer topLogprobs;
        private boolean stream;
        private List<ToolSpec> tools = List.of();
        private String toolChoice;
        private String user;
        private Caller caller = Caller.ANONYMOUS;
        private Policy policy;

        private Builder(String requestId, Dialect dialect, String model, Input input) {
            this.requestId = requestId;
            this.dialect = dialect;
            this.model = model;
            this.input = input;
        }

        public Builder withRequestId(String v) {
            requestId = v;
            return this;
        }

        public Builder withDialect(Dialect v) {
            dialect = v;
            return this;
        }

        public Builder withModel(String v) {
            model = v;
            return this;
        }

        public Builder withInput(Input v) {
            input = v;
            return this;
        }

        /** A max_tokens the caller chose. */
        public Builder withMaxTokens(int v) {
            return withMaxTokens(v, false);
        }

        /** @param defaulted true: the caller sent none and {@code v} is the server's default */
        public Builder withMaxTokens(int v, boolean defaulted) {
            maxTokens = v;
            maxTokensDefaulted = defaulted;
            return this;
        }

        public Builder withSampling(Sampling v) {
            sampling = v;
            return this;
        }

        public Builder withStop(List<String> v) {
            stop = v;
            return this;
        }

        public Builder withTopLogprobs(Integer v) {
            topLogprobs = v;
            return this;
        }

        public Builder withStream(boolean v) {
            stream = v;
            return this;
        }

        /** @param choice the caller's tool choice as the edge passes it (see the remote backends), or null */
        public Builder withTools(List<ToolSpec> v, String choice) {
            tools = v;
            toolChoice = choice;
            return this;
        }

        public Builder withUser(String v) {
            user = v;
            return this;
        }

        public Builder withCaller(Caller v) {
            caller = v;
            return this;
        }

        public Builder withPolicy(Policy v) {
            policy = v;
            return this;
        }

        public InferenceRequest build() {
            return new InferenceRequest(requestId, dialect, model, input, maxTokens, maxTokensDefaulted, sampling, stop,
                    topLogprobs, stream, tools, toolChoice, user, caller, policy);
        }
    }
}
