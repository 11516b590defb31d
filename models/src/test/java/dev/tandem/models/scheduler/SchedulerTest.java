package dev.tandem.models.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.models.FinishReason;
import dev.tandem.models.GenerationRequest;
import dev.tandem.models.Prompt;
import dev.tandem.models.StopRules;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.kv.KvBlocks;
import dev.tandem.models.reference.PagedReferenceStep;
import dev.tandem.models.reference.ReferenceLlama;
import dev.tandem.models.sampling.Sampler;
import dev.tandem.models.scheduler.EngineFixture.Recorder;
import dev.tandem.models.text.HfTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler alone: plan, forward on the paged reference, apply; no engine thread. */
class SchedulerTest {
    private static final int BLOCK = 4;
    private static final int VOCAB = 512;

    @TempDir static Path dir;
    private static HfTokenizer tokenizer;
    private static ReferenceLlama reference;

    @BeforeAll
    static void load() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withWeightScale(0.2).withMaxPositions(256));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            tokenizer = HfTokenizer.open(checkpoint);
            reference = ReferenceLlama.load(checkpoint);
        }
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    /** A greedy sequence of {@code promptLength} tokens that generates exactly {@code maxTokens}. */
    static Sequence sequence(String id, int promptLength, int maxTokens, Recorder recorder) {
        int[] prompt = ((Prompt.Tokens) LocalEngineTest.prompt(promptLength, id.hashCode() & 0xff)).ids();
        GenerationRequest request = GenerationRequest.builder(id, Prompt.tokens(prompt)).withMaxTokens(maxTokens)
                .withStop(new StopRules(List.of(), Set.of(), true, 0)).build();
        Sampler sampler = new Sampler(request.sampling(), -1, VOCAB, prompt, Set.of(), 0);
        return new Sequence(request, prompt, Set.of(), sampler, new TextStream(tokenizer, prompt, List.of()), recorder, () -> {});
    }

    static Scheduler scheduler(KvBlocks kv, int maxRunning, int prefillChunk, int maxModelLen) {
        return new Scheduler(kv, tokenizer, VOCAB, new SchedulerConfig(maxRunning, 16, prefillChunk, maxModelLen, true));
    }

    static PagedReferenceStep step(KvBlocks kv) {
        PagedReferenceStep step = new PagedReferenceStep(reference, kv.blockSize());
        step.allocateKv(kv.totalBlocks());
        return step;
    }

    /** Plans, runs and applies one step. */
    static StepPlan runStep(Scheduler scheduler, PagedReferenceStep step) {
        StepPlan plan = scheduler.plan();
        if (!plan.isEmpty()) {
            scheduler.apply(plan, step.forward(plan.chunks()));
        }
        return plan;
    }

    @Test
    void aPoolOfNBlocksAdmitsExactlyWhatFitsInArrivalOrder() {
        // Given a pool of 10 blocks of 4 and five waiting prompts: four of 12 tokens (3 blocks), then one of 4 (1 block)
        KvBlocks kv = new KvBlocks(10, BLOCK, true);
        Scheduler scheduler = scheduler(kv, 8, 100, 64);
        List<Sequence> all = List.of(sequence("a", 12, 4, new Recorder()), sequence("b", 12, 4, new Recorder()),
                sequence("c", 12, 4, new Recorder()), sequence("d", 12, 4, new Recorder()), sequence("e", 4, 4, new Recorder()));
        all.forEach(scheduler::add);
        // When the first step is planned
        StepPlan plan = scheduler.plan();
        // Then exactly the three that fit run, with their whole prompts; d waits, and e, which would fit, does not overtake it
        assertThat(plan.scheduled()).extracting(s -> s.sequence().id()).containsExactly("a", "b", "c");
        assertThat(plan.tokens()).isEqualTo(36);
        assertThat(plan.scheduled()).allMatch(StepPlan.Scheduled::samples);
        assertThat(kv.freeBlocks()).isEqualTo(1);
        assertThat(scheduler.running()).isEqualTo(3);
        assertThat(scheduler.waiting()).isEqualTo(2);
        // And every chunk names exactly the blocks of its positions, none shared
        assertThat(plan.scheduled()).allMatch(s -> s.chunk().blockTable().length == 3);
        assertThat(plan.scheduled().stream().flatMapToInt(s -> Arrays.stream(s.chunk().blockTable())).distinct().count()).isEqualTo(9);
    }

    @Test
    void aLongPromptIsPrefilledInChunksUnderTheBudgetWhileADecodeGoesOnEveryStep() {
        KvBlocks kv = new KvBlocks(64, BLOCK, true);
        PagedReferenceStep step = step(kv);
        Scheduler scheduler = scheduler(kv, 4, 8, 128);
        Recorder decoding = new Recorder();
        scheduler.add(sequence("decoding", 3, 30, decoding));
        runStep(scheduler, step);
        // When a 30-token prompt arrives while "decoding" decodes
        scheduler.add(sequence("long", 30, 2, new Recorder()));
        int[] longChunks = new int[4];
        for (int i = 0; i < 4; i++) {
            StepPlan plan = runStep(scheduler, step);
            // Then each step holds the decode token and at most 8 prompt tokens
            assertThat(plan.scheduled().get(0).chunk().tokens()).hasSize(1);
            longChunks[i] = plan.scheduled().get(1).chunk().tokens().length;
            assertThat(plan.scheduled().get(1).samples()).isEqualTo(i == 3);
        }
        assertThat(longChunks).containsExactly(8, 8, 8, 6);
        assertThat(decoding.count()).isEqualTo(5);
    }

    @Test
    void whenBlocksRunOutTheNewestRunningSequenceIsPreemptedThenResumedWithTheSameOutput() {
        // Given each sequence's tokens alone: 8-token prompts, 12 new tokens (20 positions, 5 blocks)
        int[][] alone = new int[2][];
        for (int i = 0; i < 2; i++) {
            KvBlocks roomy = new KvBlocks(16, BLOCK, true);
            Scheduler scheduler = scheduler(roomy, 2, 100, 24);
            Recorder r = new Recorder();
            scheduler.add(sequence(i == 0 ? "old" : "new", 8, 12, r));
            PagedReferenceStep step = step(roomy);
            while (scheduler.hasWork()) {
                runStep(scheduler, step);
            }
            alone[i] = r.ids();
        }
        // When both run on a pool of 6 blocks: both start (2 blocks each), then grow past it
        KvBlocks kv = new KvBlocks(6, BLOCK, true);
        PagedReferenceStep step = step(kv);
        Scheduler scheduler = scheduler(kv, 2, 100, 24);
        Recorder old = new Recorder();
        Recorder young = new Recorder();
        Sequence youngSequence = sequence("new", 8, 12, young);
        scheduler.add(sequence("old", 8, 12, old));
        scheduler.add(youngSequence);
        StepPlan preempting = null;
        int steps = 0;
        while (scheduler.hasWork() && steps++ < 200) {
            StepPlan plan = runStep(scheduler, step);
            if (preempting == null && !plan.preempted().isEmpty()) {
                preempting = plan;
                // Then the newest was preempted: it waits, holds no block, keeps its output so far
                assertThat(plan.preempted()).containsExactly(youngSequence);
                assertThat(youngSequence.computed).isZero();
                assertThat(youngSequence.completionTokens()).isPositive();
                assertThat(scheduler.waiting()).isEqualTo(1);
                assertThat(plan.scheduled()).extracting(s -> s.sequence().id()).containsExactly("old");
            }
        }
        // And both finish with their outputs alone, and every block is free again
        assertThat(preempting).isNotNull();
        assertThat(scheduler.preemptions()).isPositive();
        assertThat(old.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(young.reason()).isEqualTo(FinishReason.LENGTH);
        assertThat(old.ids()).containsExactly(alone[0]);
        assertThat(young.ids()).containsExactly(alone[1]);
        assertThat(kv.freeBlocks()).isEqualTo(6);
        assertThat(scheduler.drainFinished()).hasSize(2);
    }

    @Test
    void aCancelledSequenceIsRetiredAtTheNextPlanAndItsBlocksFreed() {
        KvBlocks kv = new KvBlocks(16, BLOCK, true);
        PagedReferenceStep step = step(kv);
        Scheduler scheduler = scheduler(kv, 2, 100, 64);
        Recorder running = new Recorder();
        Recorder waiting = new Recorder();
        Sequence runningSequence = sequence("running", 6, 40, running);
        Sequence waitingSequence = sequence("waiting", 6, 40, waiting);
        scheduler.add(runningSequence);
        runStep(scheduler, step);
        scheduler.add(waitingSequence);
        runningSequence.cancel();
        waitingSequence.cancel();
        StepPlan plan = runStep(scheduler, step);
        assertThat(plan.isEmpty()).isTrue();
        assertThat(running.reason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(waiting.reason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(running.count()).isEqualTo(1);
        assertThat(scheduler.hasWork()).isFalse();
        assertThat(kv.freeBlocks()).isEqualTo(16);
    }
}
