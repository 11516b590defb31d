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
 * @param tools the tools the model may call (empty: none)
 * @param toolChoice whether and how it may call them (meaningful with tools only)
 * @param responseFormat the shape the answer's text must have
 * @param user the caller's end-user id, passed upstream when present
 * @param caller who is calling (the gate replaces it with what it read from the key store)
 * @param policy the routing policy the request itself asks for (it can only narrow the caller's), or null
 * @param passthrough what only an upstream of the caller's dialect understands, passed to it unchanged
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
        ToolChoice toolChoice,
        ResponseFormat responseFormat,
        String user,
        Caller caller,
        Policy policy,
        Passthrough passthrough) {

    public InferenceRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(toolChoice, "toolChoice");
        Objects.requireNonNull(responseFormat, "responseFormat");
        Objects.requireNonNull(passthrough, "passthrough");
        stop = List.copyOf(stop);
        tools = List.copyOf(tools);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1");
        }
        if (toolChoice.mode() == ToolChoice.Mode.NAMED && tools.stream().noneMatch(t -> t.name().equals(toolChoice.name()))) {
            throw ApiException.invalid("tool_choice", "'tool_choice' names the tool '" + toolChoice.name() + "', which is not among 'tools'.");
        }
        if (toolChoice.mode() == ToolChoice.Mode.REQUIRED && tools.isEmpty()) {
            throw ApiException.invalid("tool_choice", "'tool_choice' requires a tool call, but 'tools' is empty.");
        }
    }

    /**
     * A request for {@code model} from an anonymous caller: 16 tokens unless set, the backend's default
     * sampling, no stop sequences, no logprobs, no tools, free text, not streamed, nothing to pass through.
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
                .withResponseFormat(responseFormat)
                .withUser(user)
                .withCaller(caller)
                .withPolicy(policy)
                .withPassthrough(passthrough);
    }

    /** True when the conversation holds an image (in a message or a tool result): only a model that sees images can serve it. */
    public boolean hasImages() {
        return input instanceof Input.Chat chat && chat.messages().stream()
                .flatMap(m -> m.content().stream())
                .anyMatch(c -> c instanceof Content.Image || c instanceof Content.ToolResult r && r.hasImage());
    }

    /** True when tools are offered to the model: there are some, and the choice is not NONE. */
    public boolean offersTools() {
        return !tools.isEmpty() && toolChoice.mode() != ToolChoice.Mode.NONE;
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
        private ToolChoice toolChoice = ToolChoice.AUTO;
        private ResponseFormat responseFormat = ResponseFormat.TEXT;
        private String user;
        private Caller caller = Caller.ANONYMOUS;
        private Policy policy;
        private Passthrough passthrough = Passthrough.NONE;

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

        public Builder withTools(List<ToolSpec> v, ToolChoice choice) {
            tools = v;
            toolChoice = choice;
            return this;
        }

        public Builder withResponseFormat(ResponseFormat v) {
            responseFormat = v;
            return this;
        }

        public Builder withPassthrough(Passthrough v) {
            passthrough = v;
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
                    topLogprobs, stream, tools, toolChoice, responseFormat, user, caller, policy, passthrough);
        }
    }
}
