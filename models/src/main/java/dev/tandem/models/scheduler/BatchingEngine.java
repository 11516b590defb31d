package dev.tandem.models.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tandem.models.ContextWindow;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.EngineException;
import dev.tandem.models.EngineLoad;
import dev.tandem.models.EngineSaturatedException;
import dev.tandem.models.FinishReason;
import dev.tandem.models.Generation;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.ModelInfo;
import dev.tandem.models.Prompt;
import dev.tandem.models.PromptFormat;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.llama.KvCache;
import dev.tandem.models.llama.LlamaModel;
import dev.tandem.models.sampling.Sampler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine: a loaded model served by one scheduler thread with continuous batching.
 *
 * <p>Each step: retire cancelled sequences; admit waiting ones (FIFO) while a running slot and a KV
 * range of prompt + max_tokens are free; then ONE forward holding at most one prefill chunk (of the
 * oldest sequence still reading its prompt) and one decode token for every other running sequence;
 * sample; emit events; retire finished sequences at once, freeing their KV range. Long prompts thus
 * never freeze running streams. All NDArrays of a step live in a sub-manager closed at its end.
 */
public final class BatchingEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(BatchingEngine.class);
    private static final double STEP_TIME_SMOOTHING = 0.2;

    private final LlamaModel model;
    private final KvCache cache;
    private final Tokenizer tokenizer;
    private final PromptFormat promptFormat;
    private final ModelInfo info;
    private final EngineConfig config;
    private final int contextLength;
    private final Set<Integer> eosIds;

    // Admission happens under `lock`, in submit (when a slot and a KV range are free at once) or on the
    // engine thread (when a retirement frees them); the KV allocator is only touched under it.
    private final Object lock = new Object();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();  // guarded by lock: no slot or KV yet
    private final ArrayDeque<Sequence> admitted = new ArrayDeque<>(); // guarded by lock: KV reserved, not started
    private int slotsTaken;                                            // guarded by lock: admitted + running
    private final List<Sequence> running = new ArrayList<>();         // engine thread only
    private final Thread thread;
    private volatile boolean closed;

    // Published load, written by the engine thread
    private volatile int lastBatchSize;
    private volatile double stepSeconds = 0.05;
    private volatile long steps;
    /** Tokens the closest-to-done running sequence still may generate (its max_tokens left). */
    private volatile int shortestRemaining;

    private BatchingEngine(LlamaModel model, Tokenizer tokenizer, PromptFormat promptFormat, ModelInfo info, EngineConfig config) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.promptFormat = promptFormat;
        this.info = info;
        this.config = config;
        this.contextLength = model.config().maxPositionEmbeddings();
        long budget = config.kvTokenBudget() > 0 ? config.kvTokenBudget() : (long) config.maxRunning() * contextLength;
        this.cache = model.newCache(Math.toIntExact(Math.min(budget, Integer.MAX_VALUE - 8)));
        long kvBytes = 2L * cache.capacity() * model.config().numHiddenLayers() * model.config().kvDim()
                * model.dtype().getNumOfBytes();
        LOG.info("KV cache: {} tokens ({} MB) for up to {} running sequences of at most {} tokens",
                cache.capacity(), kvBytes / 1_000_000, config.maxRunning(), contextLength);
        this.eosIds = Set.copyOf(tokenizer.eosIds());
        this.thread = new Thread(this::loop, "tandem-engine-" + info.id());
        thread.setDaemon(true);
    }

    /** Starts the scheduler over a loaded model; the engine owns (and closes) the model and the tokenizer. */
    public static Engine start(LlamaModel model, Tokenizer tokenizer, PromptFormat promptFormat, ModelInfo info, EngineConfig config) {
        BatchingEngine engine = new BatchingEngine(model, tokenizer, promptFormat, info, config);
        engine.thread.start();
        return engine;
    }

    @Override
    public Generation submit(GenerationRequest request, Consumer<GenerationEvent> listener) {
        int[] prompt = tokenize(request.prompt());
        if (new ContextWindow(contextLength, cache.capacity()).fit(prompt.length, request.maxTokens(), false)
                instanceof ContextWindow.Fit.TooLong tooLong) {
            throw new InvalidGenerationException(tooLong.param(), tooLong.message());
        }
        Set<Integer> stopIds = new HashSet<>(request.stop().tokenIds());
        if (!request.stop().ignoreEos()) {
            stopIds.addAll(eosIds);
        }
        Sampler sampler = new Sampler(request.sampling(), request.topLogprobs(), model.config().vocabSize(), prompt,
                stopIds, request.stop().minTokens());
        Sequence seq = new Sequence(request, prompt, sampler, new TextStream(tokenizer, prompt, request.stop().strings()),
                listener, this::wake);
        synchronized (lock) {
            if (closed) {
                throw new EngineException("the engine is closed");
            }
            if (!(waiting.isEmpty() && tryAdmit(seq))) {
                if (waiting.size() >= config.maxWaiting()) {
                    Duration wait = estimatedWait();
                    throw new EngineSaturatedException("the local engine is saturated: " + slotsTaken + " running, "
                            + waiting.size() + " waiting (limit " + config.maxWaiting() + ")",
                            wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait);
                }
                waiting.add(seq);
            }
            lock.notifyAll();
        }
        return seq;
    }

    private int[] tokenize(Prompt prompt) {
        int[] ids;
        if (prompt instanceof Prompt.Text t) {
            ids = tokenizer.encode(t.text(), t.addSpecialTokens());
        } else {
            ids = ((Prompt.Tokens) prompt).ids();
            int vocab = model.config().vocabSize();
            for (int id : ids) {
                if (id < 0 || id >= vocab) {
                    throw new InvalidGenerationException("prompt", "token id " + id + " is outside the vocabulary [0, " + vocab + ")");
                }
            }
        }
        if (ids.length == 0) {
            throw new InvalidGenerationException("prompt", "the prompt is empty");
        }
        return ids;
    }

    /** Reserves a slot and a KV range for {@code seq} if both are free now. Call under lock. */
    private boolean tryAdmit(Sequence seq) {
        if (slotsTaken >= config.maxRunning()) {
            return false;
        }
        int base = cache.reserve(seq.reserved);
        if (base < 0) {
            return false;
        }
        seq.cacheBase = base;
        slotsTaken++;
        admitted.add(seq);
        return true;
    }

    @Override
    public EngineLoad load() {
        int runningNow;
        int waitingNow;
        long kvFree;
        synchronized (lock) {
            runningNow = slotsTaken;
            waitingNow = waiting.size();
            kvFree = cache.freeTokens();
        }
        return new EngineLoad(runningNow, waitingNow, config.maxRunning(), config.maxWaiting(), cache.capacity(), kvFree,
                estimatedWait(), lastBatchSize);
    }

    /**
     * Roughly how long a request submitted now waits for its first token: the smoothed step time
     * times the steps until a slot frees (when all are taken) plus the prefill steps of the queue.
     */
    private Duration estimatedWait() {
        int waitingNow;
        int runningNow;
        long queuedPromptTokens = 0;
        synchronized (lock) {
            waitingNow = waiting.size();
            runningNow = slotsTaken;
            for (Sequence s : waiting) {
                queuedPromptTokens += s.prompt.length;
            }
        }
        double stepsAhead = 1 + (double) queuedPromptTokens / config.prefillChunk();
        if (runningNow + waitingNow >= config.maxRunning()) {
            // All slots are taken: a slot frees when the closest-to-done sequence ends (at worst its max_tokens)
            stepsAhead += (1 + waitingNow / config.maxRunning()) * (double) shortestRemaining;
        }
        return Duration.ofNanos((long) (stepsAhead * stepSeconds * 1e9));
    }


    @Override
    public ModelInfo model() {
        return info;
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public PromptFormat promptFormat() {
        return promptFormat;
    }

    /** The loaded model (tests count its live native arrays). */
    LlamaModel llama() {
        return model;
    }

    /** Steps run so far (for tests and benchmarks). */
    public long steps() {
        return steps;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    // ---- the engine thread ----

    private void loop() {
        try {
            while (true) {
                synchronized (lock) {
                    while (!closed && admitted.isEmpty() && running.isEmpty()) {
                        lock.wait();
                    }
                    if (closed) {
                        break;
                    }
                }
                retireCancelled();
                admit();
                if (!running.isEmpty()) {
                    step();
                } else {
                    // Nothing admitted yet: sleep until something changes
                    synchronized (lock) {
                        if (!closed && running.isEmpty() && admitted.isEmpty()) {
                            lock.wait(50);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.error("engine thread died", t);
        } finally {
            shutdown();
        }
    }

    private void shutdown() {
        List<Sequence> all = new ArrayList<>(running);
        synchronized (lock) {
            closed = true;
            all.addAll(admitted);
            all.addAll(waiting);
            admitted.clear();
            waiting.clear();
        }
        for (Sequence s : all) {
            s.finish(FinishReason.CANCELLED, null, null);
        }
        running.clear();
        cache.close();
        model.close();
        if (tokenizer instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("closing the tokenizer failed", e);
            }
        }
    }

    private void retireCancelled() {
        List<Sequence> cancelled = new ArrayList<>();
        synchronized (lock) {
            for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
                Sequence s = it.next();
                if (s.cancelRequested()) {
                    it.remove();
                    cancelled.add(s);
                }
            }
            for (Sequence s : admitted) {
                if (s.cancelRequested()) {
                    cancelled.add(s);
                }
            }
        }
        for (Sequence s : running) {
            if (s.cancelRequested()) {
                cancelled.add(s);
            }
        }
        for (Sequence s : cancelled) {
            s.finish(FinishReason.CANCELLED, null, null);
        }
        retireFinished(cancelled);
    }

    /** Starts the admitted sequences, after admitting waiting ones that now fit. */
    private void admit() {
        synchronized (lock) {
            admitWaiting();
            running.addAll(admitted);
            admitted.clear();
        }
    }

    /** FIFO: the oldest waiting request first; a younger one never overtakes it. Call under lock. */
    private void admitWaiting() {
        while (!waiting.isEmpty() && tryAdmit(waiting.peek())) {
            waiting.poll();
        }
    }

    /** One forward: a prefill chunk of the oldest prefilling sequence, a decode token for each of the others. */
    private void step() {
        long start = System.nanoTime();
        List<Sequence> batch = new ArrayList<>();
        List<LlamaModel.Chunk> chunks = new ArrayList<>();
        boolean prefillTaken = false;
        for (Sequence s : running) {
            if (s.prefilling()) {
                if (prefillTaken) {
                    continue;
                }
                prefillTaken = true;
                int n = Math.min(config.prefillChunk(), s.prompt.length - s.prefilled);
                int[] tokens = java.util.Arrays.copyOfRange(s.prompt, s.prefilled, s.prefilled + n);
                chunks.add(new LlamaModel.Chunk(s.cacheBase, s.prefilled, tokens));
            } else {
                chunks.add(LlamaModel.Chunk.decode(s.cacheBase, s.cached(), s.pending));
            }
            batch.add(s);
        }
        List<Sequence> done = new ArrayList<>();
        try (NDManager stepManager = model.getManager().newSubManager()) {
            NDArray logits = model.forward(stepManager, cache, chunks, false); // [chunks, vocab]
            // Advance the cache bookkeeping and find the sequences that sample this step
            List<Integer> sampleRows = new ArrayList<>();
            boolean needLogits = false;
            for (int i = 0; i < batch.size(); i++) {
                Sequence s = batch.get(i);
                if (s.prefilling()) {
                    s.prefilled += chunks.get(i).tokens().length;
                    if (s.prefilling()) {
                        continue; // more prompt to read: no token yet
                    }
                }
                sampleRows.add(i);
                needLogits |= s.sampler.needsLogits();
            }
            int vocab = model.config().vocabSize();
            float[] rows = needLogits ? logits.toFloatArray() : null;
            long[] argmax = needLogits || sampleRows.isEmpty() ? null : logits.argMax(1).toLongArray();
            for (int i : sampleRows) {
                Sequence s = batch.get(i);
                try {
                    Sampler.Choice choice = rows != null ? s.sampler.choose(rows, i * vocab) : s.sampler.acceptArgmax((int) argmax[i]);
                    accept(s, choice);
                } catch (RuntimeException e) {
                    // Sampling or detokenizing this sequence failed: it alone ends with ERROR
                    LOG.error("generation {} failed", s.id(), e);
                    s.finish(FinishReason.ERROR, null, "the local engine failed: " + e.getMessage());
                }
                if (s.finished) {
                    done.add(s);
                }
            }
        } catch (RuntimeException e) {
            // The forward itself failed: every sequence in it ends with ERROR, the engine goes on
            LOG.error("engine step failed for {} sequences", batch.size(), e);
            for (Sequence s : batch) {
                s.finish(FinishReason.ERROR, null, "the local engine failed: " + e.getMessage());
                done.add(s);
            }
        }
        retireFinished(done);
        lastBatchSize = batch.size();
        steps++;
        double seconds = (System.nanoTime() - start) / 1e9;
        stepSeconds = stepSeconds * (1 - STEP_TIME_SMOOTHING) + seconds * STEP_TIME_SMOOTHING;
    }

    /** Emits the sampled token and decides whether the sequence ends. */
    private void accept(Sequence s, Sampler.Choice choice) {
        int token = choice.token();
        s.completionTokens++;
        s.pending = token;
        GenerationEvent.TokenLogprob logprob = logprob(s, choice);
        boolean stopToken = s.completionTokens > s.request.stop().minTokens()
                && (s.request.stop().tokenIds().contains(token) || (!s.request.stop().ignoreEos() && eosIds.contains(token)));
        if (stopToken) {
            // The stop token's own text is not part of the output; what was held back is
            TextStream.Out rest = s.text.finish();
            s.emit(new GenerationEvent.Token(token, rest.text(), logprob));
            s.finish(FinishReason.STOP, rest.stop(), null);
            return;
        }
        TextStream.Out out = s.text.push(token);
        if (out.stop() != null) {
            s.emit(new GenerationEvent.Token(token, out.text(), logprob));
            s.finish(FinishReason.STOP, out.stop(), null);
            return;
        }
        boolean full = s.completionTokens >= s.request.maxTokens() || s.cached() >= contextLength;
        if (full) {
            TextStream.Out rest = s.text.finish();
            s.emit(new GenerationEvent.Token(token, out.text() + rest.text(), logprob));
            s.finish(rest.stop() != null ? FinishReason.STOP : FinishReason.LENGTH, rest.stop(), null);
            return;
        }
        s.emit(new GenerationEvent.Token(token, out.text(), logprob));
    }

    private GenerationEvent.TokenLogprob logprob(Sequence s, Sampler.Choice choice) {
        if (s.request.topLogprobs() < 0) {
            return null;
        }
        List<GenerationEvent.TopLogprob> top = new ArrayList<>(choice.topIds().length);
        for (int k = 0; k < choice.topIds().length; k++) {
            int id = choice.topIds()[k];
            top.add(new GenerationEvent.TopLogprob(id, tokenizer.tokenText(id), choice.topLogprobs()[k]));
        }
        return new GenerationEvent.TokenLogprob(choice.token(), tokenizer.tokenText(choice.token()), choice.logprob(), top);
    }

    private void retireFinished(List<Sequence> done) {
        synchronized (lock) {
            for (Sequence s : done) {
                admitted.remove(s); // a sequence cancelled before its first step
                running.remove(s);
                if (s.cacheBase >= 0) {
                    cache.release(s.cacheBase, s.reserved);
                    s.cacheBase = -1;
                    slotsTaken--;
                }
            }
            admitWaiting();
        }
        shortestRemaining = running.stream()
                .mapToInt(s -> s.request.maxTokens() - s.completionTokens + (s.prompt.length - s.prefilled) / config.prefillChunk())
                .min().orElse(0);
    }
}
