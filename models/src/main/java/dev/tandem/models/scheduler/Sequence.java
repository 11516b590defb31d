package dev.tandem.models.scheduler;

import dev.tandem.models.FinishReason;
import dev.tandem.models.Generation;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.Usage;
import dev.tandem.models.kv.BlockTable;
import dev.tandem.models.sampling.Sampler;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation as the scheduler tracks it: its tokens (the prompt, then the output), how many of them
 * have keys and values in its blocks, and what turns sampled tokens into events. Mutable state belongs
 * to the engine thread; only {@link #cancel()} comes from elsewhere.
 */
final class Sequence implements Generation {
    private static final Logger LOG = LoggerFactory.getLogger(Sequence.class);

    final GenerationRequest request;
    final int[] prompt;
    /** Ids that end the output (EOS unless ignored, and the request's stop ids). */
    final Set<Integer> stopIds;
    final Sampler sampler;
    final TextStream text;
    final BlockTable blocks = new BlockTable();
    private final Consumer<GenerationEvent> listener;
    private final Runnable wake;
    private volatile boolean cancelRequested;

    private int[] tokens;
    private int length;
    /** Positions whose keys and values are in {@link #blocks}: 0 again after a preemption. */
    int computed;
    /** Prompt tokens the prefix cache held when the sequence was first admitted; -1 before. */
    int cachedPromptTokens = -1;
    boolean finished;

    Sequence(GenerationRequest request, int[] prompt, Set<Integer> stopIds, Sampler sampler, TextStream text,
            Consumer<GenerationEvent> listener, Runnable wake) {
        this.request = request;
        this.prompt = prompt;
        this.stopIds = stopIds;
        this.sampler = sampler;
        this.text = text;
        this.listener = listener;
        this.wake = wake;
        this.tokens = Arrays.copyOf(prompt, prompt.length + Math.min(request.maxTokens(), 64));
        this.length = prompt.length;
    }

    @Override
    public String id() {
        return request.id();
    }

    @Override
    public void cancel() {
        cancelRequested = true;
        wake.run();
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** Prompt and output tokens; valid up to {@link #length()}. */
    int[] tokens() {
        return tokens;
    }

    int length() {
        return length;
    }

    int completionTokens() {
        return length - prompt.length;
    }

    /** Tokens still to run through the model: the prompt's rest, or the last sampled token. */
    int uncomputed() {
        return length - computed;
    }

    void append(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.min(prompt.length + request.maxTokens(), 2 * tokens.length));
        }
        tokens[length++] = token;
    }

    /**
     * Delivers an event. A listener that throws is not the engine's problem: the sequence is marked
     * cancelled and will be retired at the next step.
     */
    void emit(GenerationEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException | Error e) {
            LOG.warn("listener of generation {} threw; cancelling it", request.id(), e);
            cancelRequested = true;
        }
    }

    /** Emits the one Finished event (later calls do nothing). */
    void finish(FinishReason reason, String stopString, String error) {
        if (finished) {
            return;
        }
        finished = true;
        Usage usage = new Usage(prompt.length, completionTokens(), Math.max(0, cachedPromptTokens));
        emit(new GenerationEvent.Finished(reason, usage, stopString, error));
    }
}
