package dev.tandem.models.scheduler;

import dev.tandem.models.FinishReason;
import dev.tandem.models.Generation;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.Usage;
import dev.tandem.models.sampling.Sampler;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One generation as the scheduler tracks it. Mutable state belongs to the engine thread. */
final class Sequence implements Generation {
    private static final Logger LOG = LoggerFactory.getLogger(Sequence.class);

    final GenerationRequest request;
    final int[] prompt;
    final Sampler sampler;
    final TextStream text;
    private final Consumer<GenerationEvent> listener;
    private final Runnable wake;
    private volatile boolean cancelRequested;

    /** First KV slot of this sequence's reserved range; -1 until admitted. */
    int cacheBase = -1;
    /** Tokens reserved: prompt + max_tokens. */
    final int reserved;
    /** Prompt tokens already in the cache. */
    int prefilled;
    /** The last sampled token, not yet in the cache; -1 while prefilling. */
    int pending = -1;
    int completionTokens;
    boolean finished;

    Sequence(GenerationRequest request, int[] prompt, Sampler sampler, TextStream text,
            Consumer<GenerationEvent> listener, Runnable wake) {
        this.request = request;
        this.prompt = prompt;
        this.sampler = sampler;
        this.text = text;
        this.listener = listener;
        this.wake = wake;
        this.reserved = prompt.length + request.maxTokens();
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

    boolean prefilling() {
        return prefilled < prompt.length;
    }

    /** Tokens of this sequence in the cache. */
    int cached() {
        return prefilled + Math.max(0, completionTokens - 1);
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

    void finish(FinishReason reason, String stopString, String error) {
        if (finished) {
            return;
        }
        finished = true;
        emit(new GenerationEvent.Finished(reason, new Usage(prompt.length, completionTokens), stopString, error));
    }
}
