package dev.tandem.server.core;

import java.util.List;
import java.util.Objects;

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
    }
}
