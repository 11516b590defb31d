package dev.tandem.server.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.responses.ResponsesWire.Error;
import dev.tandem.server.api.responses.ResponsesWire.IncompleteDetails;
import dev.tandem.server.api.responses.ResponsesWire.Item;
import dev.tandem.server.api.responses.ResponsesWire.Reasoning;
import dev.tandem.server.api.responses.ResponsesWire.Request;
import dev.tandem.server.api.responses.ResponsesWire.Response;
import dev.tandem.server.api.responses.ResponsesWire.Text;
import dev.tandem.server.api.responses.ResponsesWire.Usage;
import java.util.List;
import java.util.Map;

/**
 * What every state of one response repeats of its request (the settings, tools and tool choice as
 * given, defaults where none was given), and the response object at each state: in progress,
 * completed, incomplete or failed.
 *
 * @param createdAt unix seconds
 * @param store whether the response is kept (the request's {@code store}, true unless false)
 */
record ResponseEcho(String id, long createdAt, Request request, boolean store) {
    private static final JsonNode TEXT_FORMAT = Json.MAPPER.createObjectNode().put("type", "text");

    Response inProgress() {
        return response("in_progress", List.of(), null, null, null);
    }

    /** Finished: completed, or incomplete with its reason. */
    Response finished(List<Item> output, Usage usage, IncompleteDetails incomplete) {
        return response(incomplete == null ? "completed" : "incomplete", output, usage, incomplete, null);
    }

    Response failed(List<Item> output, Error error) {
        return response("failed", output, null, null, error);
    }

    private Response response(String status, List<Item> output, Usage usage, IncompleteDetails incomplete, Error error) {
        Request r = request;
        JsonNode format = r.text() == null || r.text().path("format").isMissingNode() ? TEXT_FORMAT : r.text().get("format");
        String verbosity = r.text() != null && r.text().path("verbosity").isTextual() ? r.text().get("verbosity").asText() : "medium";
        JsonNode reasoning = r.reasoning() == null ? Json.MAPPER.nullNode() : r.reasoning();
        return new Response(id, "response", createdAt, status,
                status.equals("completed") ? System.currentTimeMillis() / 1000 : null,
                false, error, incomplete, r.instructions(), r.maxOutputTokens(), r.maxToolCalls(), r.model(), output,
                r.parallelToolCalls() == null || r.parallelToolCalls(), r.previousResponseId(), r.promptCacheKey(),
                new Reasoning(reasoning.path("effort").asText(null), reasoning.path("summary").asText(null)),
                r.safetyIdentifier(), "default", store,
                r.temperature() == null ? 1.0 : r.temperature(),
                new Text(format, verbosity),
                r.toolChoice() == null || r.toolChoice().isNull() ? Json.MAPPER.getNodeFactory().textNode("auto") : r.toolChoice(),
                r.tools() == null ? List.of() : r.tools(),
                0, r.topP() == null ? 1.0 : r.topP(), "disabled", usage, r.user(),
                r.metadata() == null ? Map.of() : r.metadata());
    }
}
