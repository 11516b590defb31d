package dev.tandem.bench.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Objects;

/**
 * One kind of request the load tools send: which dialect's endpoint, which model (a local name or a
 * remote one decides the backend), streaming or not, how many tokens. {@code exactTokens} asks the
 * local model for exactly {@code maxTokens} (vLLM's {@code ignore_eos}; OpenAI dialect): a random-weight
 * checkpoint may otherwise end its answer after a few dozen tokens.
 */
public record RequestSpec(Dialect dialect, String model, boolean stream, int maxTokens, String prompt, boolean exactTokens) {

    public RequestSpec(Dialect dialect, String model, boolean stream, int maxTokens, String prompt) {
        this(dialect, model, stream, maxTokens, prompt, false);
    }

    public enum Dialect {
        OPENAI("/v1/chat/completions"),
        ANTHROPIC("/v1/messages");

        final String path;

        Dialect(String path) {
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public RequestSpec {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1");
        }
        if (exactTokens && dialect != Dialect.OPENAI) {
            throw new IllegalArgumentException("exactTokens needs the OpenAI dialect (ignore_eos)");
        }
    }

    public URI uri(URI base) {
        return base.resolve(dialect.path);
    }

    /** The request body in the dialect's wire format; greedy so runs are repeatable. */
    public String body() {
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        root.put("max_tokens", maxTokens);
        root.put("temperature", 0);
        root.putArray("messages").addObject().put("role", "user").put("content", prompt);
        if (exactTokens) {
            root.put("ignore_eos", true);
        }
        if (stream) {
            root.put("stream", true);
            if (dialect == Dialect.OPENAI) {
                root.putObject("stream_options").put("include_usage", true);
            }
        }
        return root.toString();
    }

    /** Short label for tables: "openai/stream/local-model". */
    public String label() {
        return dialect.name().toLowerCase() + "/" + (stream ? "stream" : "json") + "/" + model;
    }
}
