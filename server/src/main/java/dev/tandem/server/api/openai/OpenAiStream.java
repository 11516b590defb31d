package dev.tandem.server.api.openai;

import dev.tandem.server.api.Json;
import dev.tandem.server.api.Sse;
import dev.tandem.server.api.Streaming;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.TokenUsage;
import java.io.IOException;
import java.util.Arrays;

/**
 * What both OpenAI streams share: nothing before the first chunk, comment lines as keep-alives, each
 * choice's usage kept for the one {@code choices: []} usage chunk that {@code stream_options.include_usage}
 * asks for, then {@code data: [DONE]}.
 */
abstract class OpenAiStream implements Streaming.Format {
    private final boolean includeUsage;
    private final int choicesPerPrompt;
    private final TokenUsage[] usage;
    /** What every chunk says as its model: the one that answers, once the stream has begun. */
    String model;

    /** @param asked the model the caller asked for (an alias such as "auto", maybe) */
    OpenAiStream(ChatWire.StreamOptions options, int choices, int choicesPerPrompt, String asked) {
        this.includeUsage = options != null && Boolean.TRUE.equals(options.includeUsage());
        this.choicesPerPrompt = choicesPerPrompt;
        this.usage = new TokenUsage[choices];
        this.model = asked;
    }

    /** The usage chunk, in the endpoint's chunk shape. */
    abstract Object usageChunk(OpenAiUsage usage);

    /** Choice {@code index} finished with {@code finished}'s usage. */
    void finished(int index, InferenceEvent.Finished finished) {
        usage[index] = finished.usage();
    }

    @Override
    public void begin(Sse out, InferenceEvent.Started first) {
        model = InferenceEvent.Started.answeringModel(first, model);
    }

    @Override
    public void ping(Sse out) throws IOException {
        out.comment("ping");
    }

    @Override
    public void end(Sse out) throws IOException {
        if (includeUsage) {
            out.data(Json.write(usageChunk(OpenAiUsage.of(Arrays.asList(usage), choicesPerPrompt))));
        }
        out.data("[DONE]");
    }
}
