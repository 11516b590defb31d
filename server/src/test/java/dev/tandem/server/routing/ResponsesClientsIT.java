package dev.tandem.server.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.Sse;
import dev.tandem.testkit.FakeUpstream;
import dev.tandem.testkit.FakeUpstream.Answer;
import dev.tandem.testkit.FakeUpstream.ToolCall;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The requests Codex CLI and the Vercel AI SDK send to {@code /v1/responses} (fixtures written from
 * their source, see {@code clients/README.md}), answered through a remote upstream, and checked
 * against what each client requires of the stream: Codex (its SSE parser) needs {@code response.created}
 * with a response, whole items in {@code response.output_item.done}, and {@code response.completed} with
 * {@code usage.total_tokens} and the token details as integers; the AI SDK (its zod schemas) needs the
 * response's id, created_at and model first, item ids on every item event, {@code item_id} on text
 * deltas, a status on finished calls, and usage on {@code response.completed}; the official SDKs need
 * every event's {@code sequence_number} in order and no top-level {@code error} key.
 */
class ResponsesClientsIT extends HybridServerSetup {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected String policy() {
        return "prefer-local";
    }

    static ObjectNode fixture(String name, String model) throws IOException {
        try (InputStream in = ResponsesClientsIT.class.getResourceAsStream("/clients/" + name)) {
            ObjectNode body = (ObjectNode) JSON.readTree(in);
            body.put("model", model);
            return body;
        }
    }

    HttpResponse<String> post(JsonNode body, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "authorization";
        all[1] = "Bearer client-key";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return server.post("/v1/responses", body.toString(), all);
    }

    /** The stream's events, after the checks every client makes; the last is response.completed. */
    static List<JsonNode> acceptedStream(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        Sse sse = Sse.parse(r.body());
        List<JsonNode> events = sse.data().stream().map(ResponsesClientsIT::json).toList();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertThat(e.path("sequence_number").isInt()).as("event %d has a sequence number", i).isTrue();
            assertThat(e.path("sequence_number").asInt()).as("event %d in order", i).isEqualTo(i);
            assertThat(e.path("type").asText()).as("event %d", i).isEqualTo(sse.events().get(i));
            assertThat(e.has("error")).as("event %d has no top-level error", i).isFalse();
        }
        JsonNode created = events.get(0);
        assertThat(created.path("type").asText()).isEqualTo("response.created");
        assertThat(created.at("/response/id").isTextual()).isTrue();
        assertThat(created.at("/response/created_at").isNumber()).isTrue();
        assertThat(created.at("/response/model").isTextual()).isTrue();
        assertThat(created.at("/response/output")).isEmpty();
        JsonNode completed = events.get(events.size() - 1);
        assertThat(completed.path("type").asText()).isEqualTo("response.completed");
        assertThat(completed.at("/response/id").asText()).isEqualTo(created.at("/response/id").asText());
        JsonNode usage = completed.at("/response/usage");
        for (String field : List.of("input_tokens", "output_tokens", "total_tokens")) {
            assertThat(usage.path(field).isInt()).as("usage." + field).isTrue();
        }
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(usage.path("input_tokens").asInt() + usage.path("output_tokens").asInt());
        assertThat(usage.at("/input_tokens_details/cached_tokens").isInt()).isTrue();
        assertThat(usage.at("/input_tokens_details/cache_write_tokens").isInt()).isTrue();
        assertThat(usage.at("/output_tokens_details/reasoning_tokens").isInt()).isTrue();
        // items are announced at output_index 0, 1, 2, ... and each finishes before the next is announced
        List<String> itemEvents = events.stream().map(e -> e.path("type").asText())
                .filter(t -> t.startsWith("response.output_item.")).toList();
        List<Integer> indices = events.stream().filter(e -> e.path("type").asText().startsWith("response.output_item."))
                .map(e -> e.path("output_index").asInt()).toList();
        for (int i = 0; i < itemEvents.size(); i++) {
            assertThat(itemEvents.get(i)).isEqualTo(i % 2 == 0 ? "response.output_item.added" : "response.output_item.done");
            assertThat(indices.get(i)).isEqualTo(i / 2);
        }
        for (JsonNode e : events) {
            String type = e.path("type").asText();
            if (type.startsWith("response.output_item.")) {
                assertThat(e.at("/item/id").isTextual()).as(type + " item id").isTrue();
                if (type.endsWith(".done")) {
                    assertThat(e.at("/item/status").asText()).isIn("completed", "incomplete");
                }
            }
            if (type.equals("response.output_text.delta") || type.equals("response.function_call_arguments.delta")) {
                assertThat(e.path("item_id").isTextual()).isTrue();
                assertThat(e.path("output_index").isInt()).isTrue();
            }
        }
        return events;
    }

    /** The whole items of response.output_item.done, as Codex records them. */
    static List<JsonNode> doneItems(List<JsonNode> events) {
        return events.stream().filter(e -> e.path("type").asText().equals("response.output_item.done")).map(e -> e.path("item")).toList();
    }

    @Test
    void codexGetsAStreamItAcceptsAndItsFreeformPatchToolWorks() throws Exception {
        // Given OpenAI answers Codex's turn with text, a patch (the freeform tool) and a shell command
        openai.enqueue(new FakeUpstream.Reply(Answer.text("Adding ", "the endpoint.").withToolCalls(
                new ToolCall("call_patch", "apply_patch", List.of("{\"input\":\"*** Begin Patch\\n*** Add File: Health.java\\n",
                        "+class Health {}\\n*** End Patch\\n\"}")),
                new ToolCall("call_test", "shell_command", List.of("{\"command\":\"./gradlew test\",", "\"workdir\":\"/home/dev/tandem\"}")))
                .withUsage(1200, 64)));

        // When Codex sends its request (streaming, 4 tools, reasoning null, include [], store false)
        ObjectNode codex = fixture("codex-responses.json", "gpt-4o");
        List<JsonNode> events = acceptedStream(post(codex, "session_id", "0199a213-81c0-7800-8aa1-bbab2a035a53"));

        // Then the items Codex records are a message, the patch as a custom_tool_call, the command as a function_call
        List<JsonNode> items = doneItems(events);
        assertThat(items).extracting(i -> i.path("type").asText()).containsExactly("message", "custom_tool_call", "function_call");
        assertThat(items.get(0).at("/content/0/text").asText()).isEqualTo("Adding the endpoint.");
        assertThat(items.get(1).path("name").asText()).isEqualTo("apply_patch");
        assertThat(items.get(1).path("call_id").asText()).isEqualTo("call_patch");
        assertThat(items.get(1).path("input").asText()).isEqualTo("*** Begin Patch\n*** Add File: Health.java\n+class Health {}\n*** End Patch\n");
        assertThat(items.get(2).path("name").asText()).isEqualTo("shell_command");
        assertThat(json(items.get(2).path("arguments").asText()).path("command").asText()).isEqualTo("./gradlew test");
        assertThat(events.stream().map(e -> e.path("type").asText())).contains("response.custom_tool_call_input.done",
                "response.function_call_arguments.done");
        JsonNode completed = events.get(events.size() - 1).path("response");
        assertThat(completed.path("store").asBoolean()).isFalse();
        assertThat(completed.at("/usage/input_tokens").asInt()).isEqualTo(1200);
        // And nothing was stored
        assertThat(server.get("/v1/responses/" + completed.path("id").asText(), "authorization", "Bearer client-key").statusCode())
                .isEqualTo(404);

        // And OpenAI was sent the instructions and the developer message as the system text, every tool, the earlier call and its output
        JsonNode asked = JSON.readTree(openai.lastRequest().body());
        JsonNode messages = asked.path("messages");
        assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
        assertThat(messages.get(0).path("content").asText()).startsWith("You are Codex").contains("<permissions instructions>");
        assertThat(asked.path("tools")).extracting(t -> t.at("/function/name").asText())
                .containsExactly("shell_command", "update_plan", "apply_patch", "view_image");
        JsonNode patch = asked.at("/tools/2/function");
        assertThat(patch.at("/parameters/properties/input/type").asText()).isEqualTo("string");
        assertThat(patch.path("description").asText()).contains("FREEFORM").contains("start: begin_patch hunk+ end_patch");
        JsonNode call = messages.get(messages.size() - 2);
        assertThat(call.at("/tool_calls/0/id").asText()).isEqualTo("call_7f3KqL0mNw2RxT9vY1bZ4cAe");
        assertThat(call.at("/tool_calls/0/function/name").asText()).isEqualTo("shell_command");
        assertThat(messages.get(messages.size() - 1).path("tool_call_id").asText()).isEqualTo("call_7f3KqL0mNw2RxT9vY1bZ4cAe");

        // When Codex's next turn sends the items back with the patch's result
        openai.enqueue(new FakeUpstream.Reply(Answer.text("Done.").withUsage(1300, 2)));
        ArrayNode input = (ArrayNode) codex.path("input");
        items.forEach(input::add);
        input.addObject().put("type", "custom_tool_call_output").put("call_id", "call_patch").put("output", "Success. Updated: A Health.java");
        input.addObject().put("type", "function_call_output").put("call_id", "call_test").put("output", "BUILD SUCCESSFUL");
        acceptedStream(post(codex));

        // Then OpenAI sees the patch as a call with its input, and both results
        JsonNode next = JSON.readTree(openai.lastRequest().body()).path("messages");
        JsonNode assistant = next.get(next.size() - 3);
        assertThat(assistant.path("content").asText()).isEqualTo("Adding the endpoint.");
        assertThat(assistant.at("/tool_calls/0/function/name").asText()).isEqualTo("apply_patch");
        assertThat(json(assistant.at("/tool_calls/0/function/arguments").asText()).path("input").asText()).startsWith("*** Begin Patch");
        assertThat(next.get(next.size() - 2).path("content").asText()).isEqualTo("Success. Updated: A Health.java");
        assertThat(next.get(next.size() - 1).path("content").asText()).isEqualTo("BUILD SUCCESSFUL");
    }

    @Test
    void theAiSdksToolLoopWithAnItemReferenceToTheStoredCall() throws Exception {
        // Given Claude calls getWeather in step 1 of the AI SDK's loop (store defaults to true)
        anthropic.enqueue(new FakeUpstream.Reply(new Answer(List.of(), List.of(new ToolCall("call_X2PAkDJInno9VVnNkDrfhboW", "getWeather",
                List.of("{\"location\":\"Rome\",", "\"date\":\"2026-08-21\"}"))), "tool_use", null, 300, 40, null)));
        ObjectNode step1 = fixture("ai-sdk-responses.json", "claude-sonnet-4-5");
        ArrayNode firstInput = (ArrayNode) step1.path("input");
        firstInput.remove(3); // step 1 is the system and user messages alone
        firstInput.remove(2);
        JsonNode call = doneItems(acceptedStream(post(step1))).get(0);
        assertThat(call.path("type").asText()).isEqualTo("function_call");
        assertThat(call.path("call_id").asText()).isEqualTo("call_X2PAkDJInno9VVnNkDrfhboW");

        // When step 2 refers to that call by its item id, as the SDK does, and sends its result
        anthropic.enqueue(new FakeUpstream.Reply(Answer.text("Sunny in Rome, ", "31 C.").withUsage(420, 9)));
        ObjectNode step2 = fixture("ai-sdk-responses.json", "claude-sonnet-4-5");
        ((ObjectNode) step2.path("input").get(2)).put("id", call.path("id").asText());
        List<JsonNode> events = acceptedStream(post(step2));

        // Then the answer streams as the SDK reads it
        String text = events.stream().filter(e -> e.path("type").asText().equals("response.output_text.delta"))
                .map(e -> e.path("delta").asText()).reduce("", String::concat);
        assertThat(text).isEqualTo("Sunny in Rome, 31 C.");
        assertThat(events.get(events.size() - 1).at("/response/usage/output_tokens").asInt()).isEqualTo(9);
        // And Claude was given the referenced call and its result
        JsonNode turns = JSON.readTree(anthropic.lastRequest().body()).path("messages");
        assertThat(JSON.readTree(anthropic.lastRequest().body()).path("system").asText()).startsWith("You are a helpful travel assistant.");
        assertThat(turns.at("/1/content/0/type").asText()).isEqualTo("tool_use");
        assertThat(turns.at("/1/content/0/id").asText()).isEqualTo("call_X2PAkDJInno9VVnNkDrfhboW");
        assertThat(turns.at("/1/content/0/input/location").asText()).isEqualTo("Rome");
        assertThat(turns.at("/2/content/0/type").asText()).isEqualTo("tool_result");
        assertThat(turns.at("/2/content/0/tool_use_id").asText()).isEqualTo("call_X2PAkDJInno9VVnNkDrfhboW");
        assertThat(JSON.readTree(anthropic.lastRequest().body()).path("temperature").asDouble()).isEqualTo(0.3);
    }

    @Test
    void theAiSdkWithStoreFalseSendsTheCallInlineAndNothingIsKept() throws Exception {
        anthropic.enqueue(new FakeUpstream.Reply(Answer.text("Sunny.").withUsage(400, 2)));
        ObjectNode body = fixture("ai-sdk-responses.json", "claude-sonnet-4-5");
        body.put("store", false);
        ObjectNode inline = JSON.createObjectNode().put("type", "function_call").put("call_id", "call_X2PAkDJInno9VVnNkDrfhboW")
                .put("name", "getWeather").put("arguments", "{\"location\":\"Rome\",\"date\":\"2026-08-21\"}");
        ((ArrayNode) body.path("input")).set(2, inline);

        List<JsonNode> events = acceptedStream(post(body));

        String id = events.get(0).at("/response/id").asText();
        assertThat(server.get("/v1/responses/" + id, "authorization", "Bearer client-key").statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(anthropic.lastRequest().body()).at("/messages/1/content/0/id").asText())
                .isEqualTo("call_X2PAkDJInno9VVnNkDrfhboW");
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }
}
