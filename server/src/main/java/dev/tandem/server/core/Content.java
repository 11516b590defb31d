package dev.tandem.server.core;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** One block of a message. */
public sealed interface Content {

    record Text(String text) implements Content {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** An image, either inline ({@code data} base64 with {@code mediaType}) or by {@code url}. */
    record Image(String mediaType, String data, String url) implements Content {}

    /** The assistant asking for a tool; {@code argumentsJson} is a JSON object as text. */
    record ToolUse(String id, String name, String argumentsJson) implements Content {
        public ToolUse {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(argumentsJson, "argumentsJson");
        }
    }

    /** A tool's answer to the {@link ToolUse} with the same id. */
    record ToolResult(String toolUseId, List<Content> content, boolean isError) implements Content {
        public ToolResult {
            Objects.requireNonNull(toolUseId, "toolUseId");
            content = List.copyOf(content);
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
