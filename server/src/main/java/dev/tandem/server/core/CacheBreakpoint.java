package dev.tandem.server.core;

import java.util.Objects;

/**
 * A prompt-caching breakpoint the caller set on a block, a tool or the system text (Anthropic's
 * {@code cache_control}, such as {@code {"type":"ephemeral","ttl":"1h"}}), kept as its JSON text: an
 * upstream that caches at breakpoints gets it back on the same part of the prompt. The local model's
 * prefix cache needs none, and OpenAI caches without them.
 */
public record CacheBreakpoint(String json) {
    public CacheBreakpoint {
        Objects.requireNonNull(json, "json");
    }
}
