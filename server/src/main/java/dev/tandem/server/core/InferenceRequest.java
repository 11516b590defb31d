package dev.tandem.server.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request in the internal model, whatever dialect it came in. Built and validated at the
 * dialect edge; the gate, router and backends trust it.
 *
 * @param model the model name the caller asked for
 * @param topLogprobs null: no logprobs; 0: chosen token only; N: with N alternatives
 * @param user the caller's end-user id, passed upstream when present
 * @param headers request headers the router and gate may read (lower-case names), e.g. x-tandem-policy
 * @param maxTokensDefaulted the caller sent no max_tokens: {@code maxTokens} is the server's default,
 *     which a backend may lower to the room its context window leaves after the prompt (as vLLM does);
 *     an explicit max_tokens that does not fit is refused instead
 */
public record InferenceRequest(
        String requestId,
        Dialect dialect,
        String model,
        Input input,
        int maxTokens,
        Sampling sampling,
        List<String> stop,
        Integer topLogprobs,
        boolean stream,
        List<ToolSpec> tools,
        String toolChoice,
        String user,
        Map<String, String> headers,
        boolean maxTokensDefaulted) {

    public InferenceRequest {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(sampling, "sampling");
        stop = List.copyOf(stop);
        tools = List.copyOf(tools);
        headers = Map.copyOf(headers);
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1");
        }
    }

    /** A request whose max_tokens the caller chose. */
    public InferenceRequest(String requestId, Dialect dialect, String model, Input input, int maxTokens, Sampling sampling,
            List<String> stop, Integer topLogprobs, boolean stream, List<ToolSpec> tools, String toolChoice, String user,
            Map<String, String> headers) {
        this(requestId, dialect, model, input, maxTokens, sampling, stop, topLogprobs, stream, tools, toolChoice, user, headers, false);
    }

    /** Tools, tool traffic or images: something only a remote model can serve. */
    public boolean needsRemoteCapabilities() {
        if (!tools.isEmpty()) {
            return true;
        }
        return input instanceof Input.Chat chat
                && chat.messages().stream().anyMatch(m -> !m.textOnly());
    }

    public InferenceRequest withModel(String v) {
        return new InferenceRequest(requestId, dialect, v, input, maxTokens, sampling, stop, topLogprobs, stream, tools, toolChoice, user, headers, maxTokensDefaulted);
    }

    public InferenceRequest withInput(Input v) {
        return new InferenceRequest(requestId, dialect, model, v, maxTokens, sampling, stop, topLogprobs, stream, tools, toolChoice, user, headers, maxTokensDefaulted);
    }

    public InferenceRequest withHeaders(Map<String, String> v) {
        return new InferenceRequest(requestId, dialect, model, input, maxTokens, sampling, stop, topLogprobs, stream, tools, toolChoice, user, v, maxTokensDefaulted);
    }
}
