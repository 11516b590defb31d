package dev.tandem.server.remote;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The caller's tool choice, whichever dialect wrote it. The edge passes a bare word ("auto",
 * "none", "required", "any", or a tool name) or the dialect's JSON object as text: OpenAI's
 * {@code {"type":"function","function":{"name":…}}} or Anthropic's {@code {"type":"auto|any|none|tool",
 * "name":…}}.
 *
 * @param mode "auto", "none", or "required" (OpenAI's word; Anthropic's "any")
 * @param tool the tool that must be called, or null
 */
record ToolChoice(String mode, String tool) {

    /** Null when the caller said nothing. */
    static ToolChoice parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String t = text.trim();
        if (!t.startsWith("{")) {
            return switch (t) {
                case "auto", "none", "required" -> new ToolChoice(t, null);
                case "any" -> new ToolChoice("required", null);
                default -> new ToolChoice("required", t);
            };
        }
        JsonNode node = UpstreamJson.object(t);
        String type = node.path("type").asText("auto");
        return switch (type) {
            case "function" -> new ToolChoice("required", node.path("function").path("name").asText(null));
            case "tool" -> new ToolChoice("required", node.path("name").asText(null));
            case "any", "required" -> new ToolChoice("required", null);
            case "none" -> new ToolChoice("none", null);
            default -> new ToolChoice("auto", null);
        };
    }
}
