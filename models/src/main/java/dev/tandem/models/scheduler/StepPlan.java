package dev.tandem.models.scheduler;

import dev.tandem.models.step.ModelStep;
import java.util.List;

/**
 * One step as the scheduler planned it (vLLM's SchedulerOutput): which sequences run, which of their
 * tokens at which positions, in which blocks; and which were preempted to make room.
 */
record StepPlan(List<Scheduled> scheduled, List<Sequence> preempted) {

    /**
     * One sequence's part of the step.
     *
     * @param samples whether the chunk reaches the sequence's last token, whose logits choose the next
     */
    record Scheduled(Sequence sequence, ModelStep.Chunk chunk, boolean samples) {}

    StepPlan {
        scheduled = List.copyOf(scheduled);
        preempted = List.copyOf(preempted);
    }

    boolean isEmpty() {
        return scheduled.isEmpty();
    }

    /** The forward's input, one chunk per scheduled sequence, in order (logits come back in this order). */
    List<ModelStep.Chunk> chunks() {
        return scheduled.stream().map(Scheduled::chunk).toList();
    }

    /** Tokens the forward computes. */
    int tokens() {
        return scheduled.stream().mapToInt(s -> s.chunk().tokens().length).sum();
    }
}
