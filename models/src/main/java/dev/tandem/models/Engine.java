package dev.tandem.models;

import java.util.function.Consumer;

/**
 * The local engine: a loaded checkpoint and the scheduler that serves it with continuous batching.
 * Thread-safe. Open with {@code Engines.open(config)}.
 */
public interface Engine extends AutoCloseable {

    /**
     * Queues a generation. Events go to {@code listener} in order, on the engine's thread: the
     * listener must return quickly and must not block.
     *
     * @throws EngineSaturatedException when the wait queue is full (nothing was started)
     * @throws InvalidGenerationException when the request cannot be served as given
     */
    Generation submit(GenerationRequest request, Consumer<GenerationEvent> listener);

    EngineLoad load();

    /** Prefix-cache, eviction and preemption counters since start. */
    KvStats kvStats();

    ModelInfo model();

    Tokenizer tokenizer();

    PromptFormat promptFormat();

    /** Stops the scheduler (running generations end as CANCELLED) and frees native memory. */
    @Override
    void close();
}
