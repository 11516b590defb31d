package dev.tandem.server.api.openai;

import dev.tandem.server.api.Completed;
import dev.tandem.server.api.Endpoint;
import dev.tandem.server.api.ErrorFormat;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.RequestIds;
import dev.tandem.server.api.Sse;
import dev.tandem.server.api.Streaming;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.TokenUsage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code POST /v1/chat/completions}: one internal request per choice. */
public final class ChatCompletions implements Endpoint<ChatWire.Request> {
    private final int defaultMaxTokens;

    /** @param defaultMaxTokens max_tokens when the client sends none */
    public ChatCompletions(int defaultMaxTokens) {
        this.defaultMaxTokens = defaultMaxTokens;
    }

    @Override
    public Class<ChatWire.Request> wireType() {
        return ChatWire.Request.class;
    }

    @Override
    public ErrorFormat errors() {
        return ErrorFormat.OPENAI;
    }

    @Override
    public Exchange prepare(ChatWire.Request wire, Origin origin) {
        List<InferenceRequest> requests = ChatRequests.toInference(wire, origin, defaultMaxTokens);
        return new ChatExchange(wire, requests, "chatcmpl-" + RequestIds.generate("").substring(0, 20), System.currentTimeMillis() / 1000);
    }

    private record ChatExchange(ChatWire.Request wire, List<InferenceRequest> requests, String id, long created) implements Exchange {
        boolean logprobs() {
            return requests.get(0).topLogprobs() != null;
        }

        @Override
        public Streaming.Format streamFormat() {
            return new Stream(id, created, wire.model(), requests.size(), logprobs(), wire.streamOptions());
        }

        @Override
        public Object body(List<Completed> done) {
            List<ChatWire.Choice> choices = new ArrayList<>();
            List<TokenUsage> usage = new ArrayList<>();
            for (int i = 0; i < done.size(); i++) {
                Completed c = done.get(i);
                List<ChatWire.ToolCallOut> calls = c.toolCalls().stream().map(t -> new ChatWire.ToolCallOut(t.id(), "function",
                        new ChatWire.FunctionCall(t.name(), t.argumentsJson()))).toList();
                String content = c.text().isEmpty() && !calls.isEmpty() ? null : c.text();
                choices.add(new ChatWire.Choice(i, new ChatWire.AssistantMessage("assistant", content, null, calls),
                        logprobs() ? new ChatWire.Logprobs(c.logprobs().stream().map(OpenAiLogprobs::chat).toList(), null) : null,
                        OpenAiStop.finishReason(c.finished().reason())));
                usage.add(c.finished().usage());
            }
            return new ChatWire.Completion(id, "chat.completion", created, Completed.answeringModel(done, wire.model()), choices,
                    OpenAiUsage.of(usage, done.size()), null);
        }
    }

    /** chat.completion.chunk frames: role first, content deltas, finish_reason, usage, [DONE]. */
    private static final class Stream extends OpenAiStream {
        private final String id;
        private final long created;
        private final boolean logprobs;

        Stream(String id, long created, String asked, int choices, boolean logprobs, ChatWire.StreamOptions options) {
            super(options, choices, choices, asked); // n choices of one prompt
            this.id = id;
            this.created = created;
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
