package dev.tandem.models.scheduler;

import dev.tandem.models.ContextWindow;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineException;
import dev.tandem.models.EngineLoad;
import dev.tandem.models.EngineSaturatedException;
import dev.tandem.models.Generation;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.KvStats;
import dev.tandem.models.ModelInfo;
import dev.tandem.models.OutputConstraint;
import dev.tandem.models.Prompt;
import dev.tandem.models.PromptFormat;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.kv.KvBlocks;
import dev.tandem.models.sampling.Sampler;
import dev.tandem.models.step.ModelStep;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local engine: a {@link ModelStep} served with continuous batching by one engine thread, which
 * loops plan → forward → apply ({@link Scheduler}) and publishes its load after each step. Submissions
 * from any thread land in an inbox the engine thread drains before planning.
 */
public final class LocalEngine implements Engine {
    private static final Logger LOG = LoggerFactory.getLogger(LocalEngine.class);
    private static final double STEP_TIME_SMOOTHING = 0.2;

    private final ModelStep step;
    private final Tokenizer tokenizer;
    private final PromptFormat promptFormat;
    private final ModelInfo info;
    private final SchedulerConfig config;
    private final Set<Integer> eosIds;
    private final long kvTokensTotal;
    private final KvBlocks kv;           // engine thread only
    private final Scheduler scheduler;   // engine thread only
    private double stepSeconds = 0.05;   // engine thread only
    private volatile long steps;

    private final Object lock = new Object();
    private final ArrayDeque<Sequence> inbox = new ArrayDeque<>(); // guarded by lock: not yet seen by the scheduler
    private int inFlight;                                          // guarded by lock: submitted, end not yet published
    private LoadSnapshot published = LoadSnapshot.NONE;           // guarded by lock
    private boolean closed;                                        // guarded by lock
    private final Thread thread;
    private final CompletableFuture<List<Integer>> warmedUp = new CompletableFuture<>();

    private LocalEngine(ModelStep step, Tokenizer tokenizer, PromptFormat promptFormat, ModelInfo info, SchedulerConfig config) {
        this.step = step;
        this.tokenizer = tokenizer;
        this.promptFormat = promptFormat;
        this.info = info;
        this.config = config;
        this.eosIds = Set.copyOf(tokenizer.eosIds());
        this.kv = new KvBlocks(step.numBlocks(), step.blockSize(), config.prefixCaching());
        this.kvTokensTotal = (long) kv.totalBlocks() * kv.blockSize();
        this.scheduler = new Scheduler(kv, tokenizer, step.vocabSize(), config);
        this.thread = new Thread(this::run, "tandem-engine-" + info.id());
        thread.setDaemon(true);
    }

    /**
     * Starts serving {@code step}, whose KV pool is allocated; returns once warm-up forwards at the batch
     * sizes the scheduler uses have run. The engine owns (and closes) the step and the tokenizer from this
     * call on, also when it throws.
     */
    public static LocalEngine start(ModelStep step, Tokenizer tokenizer, PromptFormat promptFormat, ModelInfo info,
            SchedulerConfig config) {
        LocalEngine engine;
        try {
            if (step.numBlocks() < 1) {
                throw new IllegalArgumentException("the step's KV pool is not allocated");
            }
            engine = new LocalEngine(step, tokenizer, promptFormat, info, config);
        } catch (RuntimeException | Error e) {
            step.close();
            closeTokenizer(tokenizer);
            throw e;
        }
        engine.thread.start();
        try {
            List<Integer> batches = engine.warmedUp.join();
            LOG.info("warm-up: {} forwards at batch sizes {} and a {}-token prefill", batches.size(),
                    Warmup.batchSizes(config.maxRunning()), Math.min(config.prefillChunk(), config.maxModelLen()));
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new EngineException("warm-up failed", e.getCause());
        }
        return engine;
    }

    @Override
    public Generation submit(GenerationRequest request, Consumer<GenerationEvent> listener) {
        int vocab = step.vocabSize();
        for (int id : request.sampling().logitBias().keySet()) {
            if (id >= vocab) {
                throw new InvalidGenerationException("logit_bias", "token id " + id + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        int[] prompt = tokenize(request.prompt());
        if (new ContextWindow(config.maxModelLen(), kvTokensTotal).fit(prompt.length, request.maxTokens(), false)
                instanceof ContextWindow.Fit.TooLong tooLong) {
            throw new InvalidGenerationException(tooLong.param(), tooLong.message());
        }
        Set<Integer> stopIds = new HashSet<>(request.stop().tokenIds());
        if (!request.stop().ignoreEos()) {
            stopIds.addAll(eosIds);
        }
        // A constrained request gets its own matcher, which closes its output within max_tokens
        OutputConstraint.Matcher matcher = request.constraint() == null ? null : request.constraint().start(request.maxTokens());
        Sampler sampler = new Sampler(request.sampling(), request.topLogprobs(), vocab, prompt, stopIds,
                request.stop().minTokens(), matcher);
        Sequence seq = new Sequence(request, prompt, Set.copyOf(stopIds), sampler,
                new TextStream(tokenizer, prompt, request.stop().strings()), listener, this::wake);
        synchronized (lock) {
            if (closed) {
                throw new EngineException("the engine is closed");
            }
            // Saturated when every running slot and every waiting place is taken
            if (inFlight >= config.maxRunning() + config.maxWaiting()) {
                EngineLoad load = loadUnderLock();
                Duration wait = load.estimatedWait();
                throw new EngineSaturatedException("the local engine is saturated: " + load.running() + " running, "
                        + load.waiting() + " waiting (limit " + config.maxWaiting() + ")",
                        wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait);
            }
            inbox.add(seq);
            inFlight++;
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
            int vocab = step.vocabSize();
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

    @Override
    public EngineLoad load() {
        synchronized (lock) {
            return loadUnderLock();
        }
    }

    private EngineLoad loadUnderLock() {
        long queuedTokens = 0;
        for (Sequence s : inbox) {
            queuedTokens += s.length();
        }
        int waiting = Math.max(0, inFlight - published.running());
        return published.toLoad(config, kvTokensTotal, waiting, queuedTokens);
    }

    @Override
    public KvStats kvStats() {
        synchronized (lock) {
            return published.stats();
        }
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

    /** The step this engine serves (tests count its live native objects). */
    public ModelStep step() {
        return step;
    }

    /** Steps run so far, warm-up excluded (for tests and benchmarks). */
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

    private void run() {
        try {
            List<Integer> batches = Warmup.run(step, kv, config);
            publish(0);
            warmedUp.complete(batches);
        } catch (Throwable t) {
            // Closed before start() hears of it, so that nothing of a failed start stays open
            try {
                shutdown();
            } finally {
                warmedUp.completeExceptionally(t);
            }
            return;
        }
        try {
            while (true) {
                synchronized (lock) {
                    while (!closed && inbox.isEmpty() && !scheduler.hasWork()) {
                        lock.wait();
                    }
                    if (closed) {
                        break;
                    }
                    inbox.forEach(scheduler::add);
                    inbox.clear();
                }
                runStep();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.error("engine thread died", t);
        } finally {
            shutdown();
        }
    }

    /** Plan → forward → apply, then publish. */
    private void runStep() throws InterruptedException {
        long start = System.nanoTime();
        StepPlan plan = scheduler.plan();
        if (!plan.isEmpty()) {
            float[] logits = null;
            try {
                logits = step.forward(plan.chunks());
            } catch (RuntimeException e) {
                // The forward itself failed: its sequences end with ERROR, the engine goes on
                scheduler.fail(plan, e);
            }
            if (logits != null) {
                scheduler.apply(plan, logits);
            }
            steps++;
            double seconds = (System.nanoTime() - start) / 1e9;
            stepSeconds = stepSeconds * (1 - STEP_TIME_SMOOTHING) + seconds * STEP_TIME_SMOOTHING;
        }
        publish(plan.scheduled().size());
        if (plan.isEmpty() && scheduler.hasWork()) {
            // Nothing could run although something waits: not expected (one sequence always fits), so never spin
            synchronized (lock) {
                lock.wait(10);
            }
        }
    }

    private void publish(int batch) {
        List<Sequence> ended = scheduler.drainFinished();
        KvStats stats = new KvStats(kv.queriedTokens(), kv.hitTokens(), kv.evictedBlocks(), scheduler.preemptions(),
                new KvStats.Blocks(kv.blockSize(), kv.totalBlocks() - kv.freeBlocks(), kv.freeBlocks()));
        LoadSnapshot snapshot = new LoadSnapshot(scheduler.running(), scheduler.waitingTokens(),
                (long) kv.freeBlocks() * kv.blockSize(), batch, stepSeconds, scheduler.shortestRemaining(), stats);
        synchronized (lock) {
            inFlight -= ended.size();
            published = snapshot;
        }
    }

    private void shutdown() {
        List<Sequence> unseen;
        synchronized (lock) {
            closed = true;
            unseen = new ArrayList<>(inbox);
            inbox.clear();
        }
        unseen.forEach(scheduler::add);
        scheduler.cancelAll();
        publish(0);
        step.close();
        closeTokenizer(tokenizer);
    }

    private static void closeTokenizer(Tokenizer tokenizer) {
        if (tokenizer instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.warn("closing the tokenizer failed", e);
            }
        }
    }
}
