package dev.tandem.server.api.openai;

import dev.tandem.models.GenerationEvent.TokenLogprob;
import dev.tandem.models.GenerationEvent.TopLogprob;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /v1/completions}: the legacy endpoint, with vLLM's extensions; one internal request per prompt × n. */
public final class Completions implements Endpoint<CompletionWire.Request> {

    @Override
    public Class<CompletionWire.Request> wireType() {
        return CompletionWire.Request.class;
    }

    @Override
    public ErrorFormat errors() {
        return ErrorFormat.OPENAI;
    }

    @Override
    public Exchange prepare(CompletionWire.Request wire, Origin origin) {
        List<InferenceRequest> requests = CompletionRequests.toInference(wire, origin);
        return new Shape(wire, requests, "cmpl-" + RequestIds.generate("").substring(0, 20), System.currentTimeMillis() / 1000);
    }

    /** One request's completions: what every chunk and the whole answer repeat. */
    private record Shape(CompletionWire.Request wire, List<InferenceRequest> requests, String id, long created) implements Exchange {
        /** Choices per prompt. */
        int n() {
            return wire.n() == null ? 1 : wire.n();
        }

        boolean logprobs() {
            return requests.get(0).topLogprobs() != null;
        }

        /** vLLM's return_tokens_as_token_ids. */
        boolean tokenIds() {
            return Boolean.TRUE.equals(wire.returnTokensAsTokenIds());
        }

        @Override
        public Streaming.Format streamFormat() {
            return new Stream(this, requests.size(), wire.streamOptions());
        }

        @Override
        public Object body(List<Completed> done) {
            List<CompletionWire.Choice> choices = new ArrayList<>();
            List<TokenUsage> usage = new ArrayList<>();
            for (int i = 0; i < done.size(); i++) {
                Completed c = done.get(i);
                LegacyLogprobs lp = logprobs() ? new LegacyLogprobs(tokenIds()) : null;
                if (lp != null) {
                    c.logprobs().forEach(lp::add);
                }
                choices.add(new CompletionWire.Choice(c.text(), i, lp == null ? null : lp.toWire(),
                        OpenAiStop.finishReason(c.finished().reason())));
                usage.add(c.finished().usage());
            }
            return new CompletionWire.Completion(id, "text_completion", created, Completed.answeringModel(done, model()), choices,
                    OpenAiUsage.of(usage, n()), null);
        }
    }

    /** Accumulates the legacy logprobs of one choice; text offsets count characters of the text so far. */
    private static final class LegacyLogprobs {
        private final boolean tokenIds;
        private final List<String> tokens = new ArrayList<>();
        private final List<Float> tokenLogprobs = new ArrayList<>();
        private final List<Map<String, Float>> top = new ArrayList<>();
        private final List<Integer> offsets = new ArrayList<>();
        private int textLength;

        LegacyLogprobs(boolean tokenIds) {
            this.tokenIds = tokenIds;
        }

        void add(TokenLogprob lp) {
            tokens.add(OpenAiLogprobs.label(lp.id(), lp.token(), tokenIds));
            tokenLogprobs.add(lp.logprob());
            Map<String, Float> alternatives = new LinkedHashMap<>();
            for (TopLogprob t : lp.top()) {
                alternatives.put(OpenAiLogprobs.label(t.id(), t.token(), tokenIds), t.logprob());
            }
            top.add(alternatives);
            offsets.add(textLength);
            textLength += lp.token().length();
        }

        CompletionWire.Logprobs toWire() {
            return new CompletionWire.Logprobs(List.copyOf(tokens), List.copyOf(tokenLogprobs), List.copyOf(top), List.copyOf(offsets));
        }

        /** Only what was added since the last call, for a stream chunk. */
        CompletionWire.Logprobs drain() {
            CompletionWire.Logprobs out = toWire();
            tokens.clear();
            tokenLogprobs.clear();
            top.clear();
            offsets.clear();
            return out;
        }
    }

    /** text_completion chunks: text deltas, finish_reason, an optional usage chunk, [DONE]. */
    private static final class Stream extends OpenAiStream {
        private final Shape shape;
        private final LegacyLogprobs[] logprobs;

        Stream(Shape shape, int choices, ChatWire.StreamOptions options) {
            super(options, choices, shape.n(), shape.model());
            this.shape = shape;
            this.logprobs = new LegacyLogprobs[choices];
            for (int i = 0; i < choices; i++) {
                logprobs[i] = new LegacyLogprobs(shape.tokenIds());
            }
        }

        @Override
        public void event(Sse out, int index, InferenceEvent event) throws IOException {
            if (event instanceof InferenceEvent.TextDelta d) {
                CompletionWire.Logprobs lp = null;
                if (shape.logprobs() && d.logprob() != null) {
                    logprobs[index].add(d.logprob());
                    lp = logprobs[index].drain();
                } else if (d.text().isEmpty()) {
                    return;
                }
                chunk(out, List.of(new CompletionWire.Choice(d.text(), index, lp, null)), null);
            } else if (event instanceof InferenceEvent.Finished f) {
                finished(index, f);
                chunk(out, List.of(new CompletionWire.Choice("", index, null, OpenAiStop.finishReason(f.reason()))), null);
            }
        }

        private void chunk(Sse out, List<CompletionWire.Choice> choices, OpenAiUsage usage) throws IOException {
            out.data(Json.write(new CompletionWire.Completion(shape.id(), "text_completion", shape.created(), model,
                    choices, usage, null)));
        }

        @Override
        Object usageChunk(OpenAiUsage usage) {
            return new CompletionWire.Completion(shape.id(), "text_completion", shape.created(), model, List.of(), usage, null);
        }
    }
}
