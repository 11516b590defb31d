package dev.tandem.models.scheduler;

import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationEvent;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.kv.KvBlocks;
import dev.tandem.models.kv.PrefixHit;
import dev.tandem.models.sampling.Sampler;
import dev.tandem.models.step.ModelStep;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * vLLM v1's scheduler: {@link #plan()} decides a step, a {@link ModelStep} runs it, {@link #apply}
 * takes its logits back. No distinction between prefill and decode: each running sequence computes its
 * uncomputed tokens (its prompt's rest, or the token it sampled last), prompts in chunks under a
 * per-step token budget so that running streams never stall behind a long prompt.
 *
 * <p>Plan: running sequences first, oldest first; when one needs a block and none is free, the newest
 * running sequence is preempted (its blocks freed, it waits at the front of the queue and is recomputed
 * later, its output kept). Then, unless something was preempted, waiting sequences are admitted in
 * arrival order (none overtakes the one before it) while a running slot, budget and blocks are free;
 * each starts after the longest prefix the prefix cache holds. Apply: samples, emits events, caches the
 * blocks computed, retires finished sequences. Used by the engine thread only.
 */
final class Scheduler {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /** The MDC field of a request's id in the server's log lines (a generation's id is its request's). */
    static final String REQUEST_ID = "request_id";

    private final KvBlocks kv;
    private final StopCheck stops;
    private final Tokenizer tokenizer;
    private final int vocab;
    private final int maxRunning;
    private final int prefillChunk;
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final List<Sequence> finished = new ArrayList<>();
    private long preemptions;

    Scheduler(KvBlocks kv, Tokenizer tokenizer, int vocab, SchedulerConfig config) {
        this.kv = kv;
        this.stops = new StopCheck(config.maxModelLen());
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.maxRunning = config.maxRunning();
        this.prefillChunk = config.prefillChunk();
    }

    /** Queues a sequence behind those waiting. */
    void add(Sequence s) {
        waiting.add(s);
        debug(s, "generation {} queued: {} prompt tokens, {} waiting, {} of {} running", s.id(), s.prompt.length, waiting.size(),
                running.size(), maxRunning);
    }

    boolean hasWork() {
        return !waiting.isEmpty() || !running.isEmpty();
    }

    int running() {
        return running.size();
    }

    int waiting() {
        return waiting.size();
    }

    long preemptions() {
        return preemptions;
    }

    KvBlocks kv() {
        return kv;
    }

    /** Tokens the waiting sequences still have to compute (for the wait estimate). */
    long waitingTokens() {
        return waiting.stream().mapToLong(Sequence::uncomputed).sum();
    }

    /** Steps the closest-to-done running sequence may still take: its max_tokens left and its prompt's chunks. */
    int shortestRemaining() {
        return running.stream()
                .mapToInt(s -> s.request.maxTokens() - s.completionTokens() + (s.prompt.length - Math.min(s.computed, s.prompt.length)) / prefillChunk)
                .min().orElse(0);
    }

    /** The sequences finished since the last call, each once. */
    List<Sequence> drainFinished() {
        List<Sequence> out = List.copyOf(finished);
        finished.clear();
        return out;
    }

    /** Decides the next step; allocates its blocks, preempting as needed. Retires cancelled sequences first. */
    StepPlan plan() {
        retireCancelled();
        int budget = prefillChunk;
        List<StepPlan.Scheduled> scheduled = new ArrayList<>();
        List<Sequence> preempted = new ArrayList<>();
        for (int i = 0; i < running.size(); i++) {
            Sequence s = running.get(i);
            boolean decoding = s.uncomputed() == 1;
            int n = decoding ? 1 : Math.min(s.uncomputed(), budget);
            if (n == 0) {
                continue;
            }
            boolean placed = true;
            while (placed && !kv.allocate(s.blocks, PrefixHit.NONE, s.computed + n)) {
                // Only sequences after s can be the newest: the loop has not reached them yet this step
                Sequence victim = running.remove(running.size() - 1);
                preempt(victim);
                preempted.add(victim);
                placed = victim != s;
            }
            if (!placed) {
                break;
            }
            budget -= decoding ? 0 : n;
            scheduled.add(schedule(s, n));
        }
        if (preempted.isEmpty()) {
            admit(budget, scheduled);
        }
        return new StepPlan(scheduled, preempted);
    }

    /** Admits waiting sequences in order while a slot, budget and blocks allow. */
    private void admit(int budget, List<StepPlan.Scheduled> scheduled) {
        while (!waiting.isEmpty() && running.size() < maxRunning) {
            Sequence s = waiting.peek();
            PrefixHit hit = kv.lookup(s.blocks, s.tokens(), s.length());
            int uncomputed = s.length() - hit.tokens();
            boolean decoding = uncomputed == 1;
            int n = decoding ? 1 : Math.min(uncomputed, budget);
            if (n == 0 || !kv.allocate(s.blocks, hit, hit.tokens() + n)) {
                return;
            }
            waiting.poll();
            s.computed = hit.tokens();
            if (s.cachedPromptTokens < 0) {
                s.cachedPromptTokens = hit.tokens();
            }
            running.add(s);
            debug(s, "generation {} admitted: {} of {} tokens from the prefix cache, {} of {} running, {} waiting", s.id(),
                    hit.tokens(), s.length(), running.size(), maxRunning, waiting.size());
            budget -= decoding ? 0 : n;
            scheduled.add(schedule(s, n));
        }
    }

    private StepPlan.Scheduled schedule(Sequence s, int n) {
        int[] tokens = Arrays.copyOfRange(s.tokens(), s.computed, s.computed + n);
        return new StepPlan.Scheduled(s, new ModelStep.Chunk(tokens, s.computed, s.blocks.toArray()), s.computed + n == s.length());
    }

    /** Frees a running sequence's blocks; it waits at the front and is recomputed from its tokens later. */
    private void preempt(Sequence victim) {
        kv.free(victim.blocks);
        victim.computed = 0;
        waiting.addFirst(victim);
        preemptions++;
        debug(victim, "generation {} preempted for want of KV blocks: {} tokens to compute again", victim.id(), victim.length());
    }

    /** A debug line about one generation, its id in the MDC field the server's log lines carry a request's id in. */
    private static void debug(Sequence s, String format, Object... args) {
        if (LOG.isDebugEnabled()) {
            try (MDC.MDCCloseable ignored = MDC.putCloseable(REQUEST_ID, s.id())) {
                LOG.debug(format, args);
            }
        }
    }

    /**
     * Takes a forward's logits ({@code [chunks, vocab]} in plan order): advances each sequence, caches its
     * newly full blocks, samples where the chunk reached the last token, emits, retires what finished.
     */
    void apply(StepPlan plan, float[] logits) {
        List<StepPlan.Scheduled> scheduled = plan.scheduled();
        for (int i = 0; i < scheduled.size(); i++) {
            StepPlan.Scheduled x = scheduled.get(i);
            Sequence s = x.sequence();
            s.computed += x.chunk().tokens().length;
            kv.cacheComputed(s.blocks, s.tokens(), s.computed);
            if (!x.samples()) {
                continue;
            }
            try {
                Sampler.Choice choice = s.sampler.choose(logits, i * vocab);
                s.append(choice.token());
                StopCheck.Decision decision = stops.decide(s, choice.token());
                s.emit(new GenerationEvent.Token(choice.token(), decision.text(), logprob(s, choice)));
                if (decision.stops()) {
                    s.finish(decision.reason(), decision.stopString(), null);
                }
            } catch (RuntimeException e) {
                // Sampling or detokenizing this sequence failed: it alone ends with ERROR
                LOG.error("generation {} failed", s.id(), e);
                s.finish(FinishReason.ERROR, null, "the local engine failed: " + e.getMessage());
            }
            if (s.finished) {
                retire(s);
            }
        }
    }

    /** The forward failed: every sequence in it ends with ERROR; the others go on. */
    void fail(StepPlan plan, RuntimeException e) {
        LOG.error("engine step failed for {} sequences", plan.scheduled().size(), e);
        for (StepPlan.Scheduled x : plan.scheduled()) {
            x.sequence().finish(FinishReason.ERROR, null, "the local engine failed: " + e.getMessage());
            retire(x.sequence());
        }
    }

    /** Ends every sequence as CANCELLED (the engine closes). */
    void cancelAll() {
        List<Sequence> all = new ArrayList<>(running);
        all.addAll(waiting);
        waiting.clear();
        for (Sequence s : all) {
            s.finish(FinishReason.CANCELLED, null, null);
            retire(s);
        }
    }

    private void retireCancelled() {
        for (Iterator<Sequence> it = waiting.iterator(); it.hasNext(); ) {
            Sequence s = it.next();
            if (stops.decide(s, StopCheck.NO_TOKEN).stops()) {
                it.remove();
                s.finish(FinishReason.CANCELLED, null, null);
                finished.add(s);
            }
        }
        for (Sequence s : List.copyOf(running)) {
            if (stops.decide(s, StopCheck.NO_TOKEN).stops()) {
                s.finish(FinishReason.CANCELLED, null, null);
                retire(s);
            }
        }
    }

    private void retire(Sequence s) {
        running.remove(s);
        kv.free(s.blocks);
        finished.add(s);
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
}
