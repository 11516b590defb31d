package dev.tandem.server.core;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** One block of a message; each may carry the caller's caching breakpoint ({@code cache}, null: none). */
public sealed interface Content {

    /** The caching breakpoint the caller set on this block, or null. */
    CacheBreakpoint cache();

    /** This block with the caching breakpoint {@code v} (null: none). */
    Content withCache(CacheBreakpoint v);

    record Text(String text, CacheBreakpoint cache) implements Content {
        public Text {
            Objects.requireNonNull(text, "text");
        }

        public Text(String text) {
            this(text, null);
        }

        @Override
        public Text withCache(CacheBreakpoint v) {
            return new Text(text, v);
        }
    }

    /** An image, either inline ({@code data} base64 with {@code mediaType}) or by {@code url}. */
    record Image(String mediaType, String data, String url, CacheBreakpoint cache) implements Content {
        public Image(String mediaType, String data, String url) {
            this(mediaType, data, url, null);
        }

        @Override
        public Image withCache(CacheBreakpoint v) {
            return new Image(mediaType, data, url, v);
        }
    }

    /**
     * A thinking block of an earlier answer, sent back as it came: {@code text} with its
     * {@code signature}, or a redacted block's {@code redacted} data. Only Claude reads it (it checks the
     * signature, and wants the block before the tool calls of the turn it continues); the local model
     * and OpenAI leave it out, as they leave out their own reasoning.
     */
    record Thinking(String text, String signature, String redacted) implements Content {
        public Thinking {
            if ((text == null) == (redacted == null)) {
                throw new IllegalArgumentException("either text or redacted");
            }
        }

        /** Thinking blocks cannot carry a caching breakpoint. */
        @Override
        public CacheBreakpoint cache() {
            return null;
        }

        @Override
        public Thinking withCache(CacheBreakpoint v) {
            return this;
        }
    }

    /** The assistant asking for a tool; {@code argumentsJson} is a JSON object as text. */
    record ToolUse(String id, String name, String argumentsJson, CacheBreakpoint cache) implements Content {
        public ToolUse {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(argumentsJson, "argumentsJson");
        }

        public ToolUse(String id, String name, String argumentsJson) {
            this(id, name, argumentsJson, null);
        }

        @Override
        public ToolUse withCache(CacheBreakpoint v) {
            return new ToolUse(id, name, argumentsJson, v);
        }
    }

    /** A tool's answer to the {@link ToolUse} with the same id. */
    record ToolResult(String toolUseId, List<Content> content, boolean isError, CacheBreakpoint cache) implements Content {
        public ToolResult {
            Objects.requireNonNull(toolUseId, "toolUseId");
            content = List.copyOf(content);
        }

        public ToolResult(String toolUseId, List<Content> content, boolean isError) {
            this(toolUseId, content, isError, null);
        }

        @Override
        public ToolResult withCache(CacheBreakpoint v) {
            return new ToolResult(toolUseId, content, isError, v);
        }

        /** The result as one text, for a model that reads results as text: an error says so first. */
        public String text() {
            String text = content.stream()
                    .map(c -> c instanceof Text t ? t.text() : "[image omitted]")
                    .collect(Collectors.joining());
            return isError ? "Error: " + text : text;
        }

        /** True when the result holds an image (which only a model that sees images can read). */
        public boolean hasImage() {
            return content.stream().anyMatch(Image.class::isInstance);
        }
    }
}
