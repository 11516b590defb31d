package dev.tandem.models;

import java.util.Optional;

/**
 * The one context-window rule: a sequence holds its prompt and everything it generates, so prompt
 * plus max_tokens must fit both the model's context window and the engine's KV cache. {@link #fit}
 * gives a typed verdict with the numbers: the engine refuses what does not fit, and a server may lower
 * a defaulted max_tokens to the room the prompt leaves, or send a request that is too long for this
 * model to one with a larger window.
 *
 * @param contextLength the model's window (its max position embeddings)
 * @param kvCapacity the KV-cache tokens the engine holds over all its sequences
 */
public record ContextWindow(int contextLength, long kvCapacity) {

    /** The window of a loaded engine. */
    public static ContextWindow of(Engine engine) {
        return new ContextWindow(engine.model().contextLength(), engine.load().kvTokensTotal());
    }

    /** The most tokens one sequence can hold: the smaller of the window and the KV cache. */
    public long tokens() {
        return Math.min(contextLength, kvCapacity);
    }

    /**
     * Whether a prompt and a max_tokens fit.
     *
     * @param mayLower the max_tokens is a default, not the caller's: lower it to the room the prompt
     *     leaves (as vLLM does) instead of refusing, unless the prompt leaves no room at all
     */
    public Fit fit(int promptTokens, int maxTokens, boolean mayLower) {
        long room = tokens() - promptTokens;
        if (room < 1) {
            // The prompt alone fills the window: no max_tokens can help, so the prompt is what to change
            return new Fit.TooLong(promptTokens, maxTokens, tokens(), "prompt", "the prompt has " + promptTokens
                    + " tokens, which leaves no room in the model's context window of " + tokens() + " tokens; shorten the prompt");
        }
        if (mayLower) {
            return new Fit.Fits((int) Math.min(maxTokens, room));
        }
        long need = (long) promptTokens + maxTokens;
        if (need > contextLength) {
            return new Fit.TooLong(promptTokens, maxTokens, contextLength, "max_tokens", "the prompt has " + promptTokens
                    + " tokens and max_tokens is " + maxTokens + ": together " + need + ", more than the model's context window of "
                    + contextLength + " tokens; lower max_tokens to at most " + Math.max(0, contextLength - promptTokens)
                    + " or shorten the prompt");
        }
        if (need > kvCapacity) {
            return new Fit.TooLong(promptTokens, maxTokens, kvCapacity, "max_tokens", "the prompt (" + promptTokens
                    + " tokens) plus max_tokens (" + maxTokens + ") needs " + need + " KV-cache tokens but the engine holds only "
                    + kvCapacity + "; lower max_tokens or shorten the prompt");
        }
        return new Fit.Fits(maxTokens);
    }

    /**
     * A text prompt that can never fit, told before it is tokenised (which takes seconds for megabytes):
     * with at most {@code maxBytesPerToken} bytes per token ({@link Tokenizer#maxBytesPerToken}), its
     * UTF-8 bytes give a least token count; TooLong when even that leaves no room in the window, else
     * empty (tokenise, then {@link #fit}). Empty when the tokenizer gives no bound (0).
     */
    public Optional<Fit.TooLong> neverFits(CharSequence prompt, int maxBytesPerToken) {
        if (maxBytesPerToken < 1) {
            return Optional.empty();
        }
        long leastTokens = (utf8BytesAtLeast(prompt) + maxBytesPerToken - 1) / maxBytesPerToken;
        if (leastTokens < tokens()) {
            return Optional.empty();
        }
        return Optional.of(new Fit.TooLong((int) Math.min(leastTokens, Integer.MAX_VALUE), 0, tokens(), "prompt", "the prompt has at least "
                + leastTokens + " tokens, which leaves no room in the model's context window of " + tokens() + " tokens; shorten the prompt"));
    }

    /** The UTF-8 length of {@code text}, counting each surrogate as one byte (a pair is four, a lone one may be one). */
    private static long utf8BytesAtLeast(CharSequence text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 || Character.isSurrogate(c) ? 1 : c < 0x800 ? 2 : 3;
        }
        return bytes;
    }

    /** The verdict. */
    public sealed interface Fit {
        /** It fits with this max_tokens (a default may have been lowered). */
        record Fits(int maxTokens) implements Fit {}

        /**
         * It does not: the numbers, the request field to change ({@code max_tokens}, or {@code prompt}
         * when the prompt alone fills the window), and a message that says how.
         */
        record TooLong(int promptTokens, int maxTokens, long window, String param, String message) implements Fit {}
    }
}
