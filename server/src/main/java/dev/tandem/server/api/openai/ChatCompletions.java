package dev.tandem.server.api.openai;

import dev.tandem.server.api.CallGroup;
import dev.tandem.server.api.Completed;
import dev.tandem.server.api.Edge;
import dev.tandem.server.api.ErrorFormat;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.RequestIds;
import dev.tandem.server.api.ResponseHeaders;
import dev.tandem.server.api.Sse;
import dev.tandem.server.api.Streaming;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.TokenUsage;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code POST /v1/chat/completions}. */
public final class ChatCompletions {
    private final Edge edge;

    public ChatCompletions(Edge edge) {
        this.edge = edge;
    }

    public void handle(Context ctx) {
        ChatWire.Request wire = edge.bodies().parse(ctx, ChatWire.Request.class);
        List<InferenceRequest> requests = ChatRequests.toInference(wire, edge.origin(ctx), edge.defaultMaxTokens());
        edge.models().require(wire.model());
        String id = "chatcmpl-" + RequestIds.generate("").substring(0, 20);
        long created = System.currentTimeMillis() / 1000;
        boolean logprobs = requests.get(0).topLogprobs() != null;
        if (Boolean.TRUE.equals(wire.stream())) {
            try (CallGroup group = CallGroup.start(edge.backend(), requests)) {
                Streaming.run(ctx, group, new Stream(id, created, wire.model(), requests.size(), logprobs, wire.streamOptions()),
                        ErrorFormat.OPENAI, edge.pingMs());
            }
        } else {
            Completed.respondWhenDone(ctx, Completed.gather(edge.backend(), requests),
                    done -> respond(ctx, id, created, wire.model(), logprobs, done));
        }
    }

    private static void respond(Context ctx, String id, long created, String model, boolean logprobs, List<Completed> done) {
        ResponseHeaders.apply(ctx, done.get(0).started());
        List<ChatWire.Choice> choices = new ArrayList<>();
        List<TokenUsage> usage = new ArrayList<>();
        for (int i = 0; i < done.size(); i++) {
            Completed c = done.get(i);
            List<ChatWire.ToolCallOut> calls = c.toolCalls().stream().map(t -> new ChatWire.ToolCallOut(t.id(), "function",
                    new ChatWire.FunctionCall(t.name(), t.argumentsJson()))).toList();
            String content = c.text().isEmpty() && !calls.isEmpty() ? null : c.text();
            choices.add(new ChatWire.Choice(i, new ChatWire.AssistantMessage("assistant", content, null, calls),
                    logprobs ? new ChatWire.Logprobs(c.logprobs().stream().map(OpenAiLogprobs::chat).toList(), null) : null,
                    OpenAiStop.finishReason(c.finished().reason())));
            usage.add(c.finished().usage());
        }
        ctx.contentType("application/json").result(Json.write(new ChatWire.Completion(id, "chat.completion", created,
                model, choices, OpenAiUsage.of(usage, done.size()), null)));
    }

    /** chat.completion.chunk frames: role first, content deltas, finish_reason, usage, [DONE]. */
    private static final class Stream extends OpenAiStream {
        private final String id;
        private final long created;
        private final String model;
        private final boolean logprobs;

        Stream(String id, long created, String model, int choices, boolean logprobs, ChatWire.StreamOptions options) {
            super(options, choices, choices); // n choices of one prompt
            this.id = id;
            this.created = created;
            this.model = model;
            this.logprobs = logprobs;
        }

        @Override
        public void event(Sse out, int index, InferenceEvent event) throws IOException {
            if (event instanceof InferenceEvent.Started) {
                chunk(out, new ChatWire.ChunkChoice(index, new ChatWire.Delta("assistant", ""), null, null));
            } else if (event instanceof InferenceEvent.TextDelta d) {
                if (d.text().isEmpty() && (d.logprob() == null || !logprobs)) {
                    return;
                }
                ChatWire.Logprobs lp = logprobs && d.logprob() != null
                        ? new ChatWire.Logprobs(List.of(OpenAiLogprobs.chat(d.logprob())), null) : null;
                chunk(out, new ChatWire.ChunkChoice(index, new ChatWire.Delta(null, d.text()), lp, null));
            } else if (event instanceof InferenceEvent.ToolCallDelta d) {
                ChatWire.ToolCallChunk call = new ChatWire.ToolCallChunk(d.index(), d.id(), d.id() != null ? "function" : null,
                        new ChatWire.FunctionChunk(d.name(), d.argumentsJsonPart()));
                chunk(out, new ChatWire.ChunkChoice(index, new ChatWire.Delta(null, null, List.of(call)), null, null));
            } else if (event instanceof InferenceEvent.Finished f) {
                finished(index, f);
                chunk(out, new ChatWire.ChunkChoice(index, new ChatWire.Delta(null, null), null,
                        OpenAiStop.finishReason(f.reason())));
            }
        }

        private void chunk(Sse out, ChatWire.ChunkChoice choice) throws IOException {
            out.data(Json.write(new ChatWire.Chunk(id, "chat.completion.chunk", created, model, List.of(choice), null, null)));
        }

        @Override
        Object usageChunk(OpenAiUsage usage) {
            return new ChatWire.Chunk(id, "chat.completion.chunk", created, model, List.of(), usage, null);
        }
    }
}
