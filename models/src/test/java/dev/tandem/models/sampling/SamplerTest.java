package dev.tandem.models.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.models.OutputConstraint;
import dev.tandem.models.SamplingParams;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {2.0f, 1.9f, 1.0f, -1.0f, 0.5f, 1.8f};
    private static final SamplingParams WARM = SamplingParams.builder().withTemperature(1.0).build();

    private static Sampler sampler(SamplingParams p, int... prompt) {
        return new Sampler(p, -1, LOGITS.length, prompt, Set.of(), 0);
    }

    @Test
    void greedyTakesTheArgmaxAndNeedsNoLogitsWithoutPenalties() {
        Sampler s = sampler(SamplingParams.GREEDY);
        assertThat(s.needsLogits()).isFalse();
        assertThat(s.choose(LOGITS.clone(), 0).token()).isZero();
    }

    @Test
    void repetitionPenaltyDividesPositiveLogitsOfSeenTokens() {
        // token 0 is in the prompt: 2.0 / 2 = 1.0 < 1.9
        Sampler s = sampler(SamplingParams.builder().withRepetitionPenalty(2).build(), 0);
        assertThat(s.needsLogits()).isTrue();
        assertThat(s.choose(LOGITS.clone(), 0).token()).isEqualTo(1);
    }

    @Test
    void presenceAndFrequencyPenaltiesApplyToOutputTokensOnly() {
        Sampler s = sampler(SamplingParams.builder().withFrequencyPenalty(0.15).build(), 0);
        assertThat(s.choose(LOGITS.clone(), 0).token()).isZero();      // prompt tokens are not penalised
        assertThat(s.choose(LOGITS.clone(), 0).token()).isEqualTo(1);  // 2.0 - 0.15 < 1.9
        Sampler p = sampler(SamplingParams.builder().withPresencePenalty(0.05).build());
        assertThat(p.choose(LOGITS.clone(), 0).token()).isZero();
        assertThat(p.choose(LOGITS.clone(), 0).token()).isZero();      // 1.95 > 1.9
    }

    @Test
    void truncationKeepsOnlyTheAllowedTokens() {
        Set<Integer> topK = new HashSet<>();
        Set<Integer> minP = new HashSet<>();
        Set<Integer> topP = new HashSet<>();
        Sampler k = sampler(WARM.toBuilder().withTopK(2).withSeed(1L).build());
        Sampler m = sampler(WARM.toBuilder().withMinP(0.8).withSeed(2L).build());    // keeps p >= 0.8 * p(0): tokens 0, 1, 5
        Sampler t = sampler(WARM.toBuilder().withTopP(0.3).withSeed(3L).build());    // p(0) alone is about 0.27 < 0.3
        for (int i = 0; i < 400; i++) {
            topK.add(k.choose(LOGITS.clone(), 0).token());
            minP.add(m.choose(LOGITS.clone(), 0).token());
            topP.add(t.choose(LOGITS.clone(), 0).token());
        }
        assertThat(topK).containsExactlyInAnyOrder(0, 1);
        assertThat(minP).containsExactlyInAnyOrder(0, 1, 5);
        assertThat(topP).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void nucleusOverALargeVocabularyMatchesABruteForceSort() {
        // Given 5,000 logits spread so that the 0.9 nucleus holds a few hundred tokens
        java.util.Random random = new java.util.Random(5);
        float[] logits = new float[5000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 2);
        }
        Integer[] ids = new Integer[logits.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        java.util.Arrays.sort(ids, (a, b) -> Float.compare(logits[b], logits[a]));
        double total = 0;
        for (float v : logits) {
            total += Math.exp(v);
        }
        Set<Integer> nucleus = new HashSet<>();
        double cumulative = 0;
        for (Integer id : ids) {
            nucleus.add(id);
            cumulative += Math.exp(logits[id]);
            if (cumulative >= 0.9 * total) {
                break;
            }
        }
        Set<Integer> top50 = new HashSet<>(java.util.Arrays.asList(ids).subList(0, 50));
        // When sampling many times with top_p 0.9, and with top_k 50
        Sampler p = new Sampler(WARM.toBuilder().withTopP(0.9).withSeed(1L).build(), -1, logits.length, new int[0], Set.of(), 0);
        Sampler k = new Sampler(WARM.toBuilder().withTopK(50).withSeed(1L).build(), -1, logits.length, new int[0], Set.of(), 0);
        Set<Integer> seenP = new HashSet<>();
        Set<Integer> seenK = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            seenP.add(p.choose(logits.clone(), 0).token());
            seenK.add(k.choose(logits.clone(), 0).token());
        }
        // Then only (and most of) the exact nucleus / top 50 come out
        assertThat(nucleus).containsAll(seenP);
        assertThat(seenP.size()).isGreaterThan(nucleus.size() / 2);
        assertThat(top50).containsAll(seenK);
        assertThat(seenK.size()).isGreaterThan(40);
    }

    @Test
    void theSameSeedGivesTheSameTokens() {
        Sampler a = sampler(WARM.toBuilder().withSeed(42L).build());
        Sampler b = sampler(WARM.toBuilder().withSeed(42L).build());
        for (int i = 0; i < 50; i++) {
            assertThat(a.choose(LOGITS.clone(), 0).token()).isEqualTo(b.choose(LOGITS.clone(), 0).token());
        }
    }

    @Test
    void stopIdsAreMaskedUntilMinTokens() {
        Sampler s = new Sampler(SamplingParams.GREEDY, -1, LOGITS.length, new int[0], Set.of(0), 2);
        assertThat(s.needsLogits()).isTrue();
        assertThat(s.choose(LOGITS.clone(), 0).token()).isEqualTo(1);
        assertThat(s.choose(LOGITS.clone(), 0).token()).isEqualTo(1);
        assertThat(s.needsLogits()).isFalse();
        assertThat(s.choose(LOGITS.clone(), 0).token()).isZero();
    }

    @Test
    void logprobsAreALogSoftmaxOfTheProcessedLogits() {
        Sampler s = new Sampler(SamplingParams.GREEDY, 6, LOGITS.length, new int[0], Set.of(), 0);
        Sampler.Choice c = s.choose(LOGITS.clone(), 0);
        double mass = 0;
        for (float lp : c.topLogprobs()) {
            mass += Math.exp(lp);
        }
        assertThat(mass).isCloseTo(1.0, within(1e-5));
        assertThat(c.topIds()).containsExactly(0, 1, 5, 2, 4, 3);
        assertThat(c.logprob()).isEqualTo(c.topLogprobs()[0]);
    }

    @Test
    void rowsAreReadAtTheirOffsetInABatch() {
        float[] batch = new float[LOGITS.length * 2];
        System.arraycopy(LOGITS, 0, batch, LOGITS.length, LOGITS.length);
        batch[0] = 99; // row 0 prefers token 0 strongly; row 1 is LOGITS
        assertThat(sampler(SamplingParams.builder().withRepetitionPenalty(2).build(), 0).choose(batch, LOGITS.length).token()).isEqualTo(1);
    }

    @Test
    void logitBiasChangesGreedyChoicesAndMinusOneHundredBans() {
        // 1.9 + 0.2 > 2.0: the bias makes token 1 the greedy choice
        Sampler nudged = sampler(SamplingParams.builder().withLogitBias(Map.of(1, 0.2)).build());
        assertThat(nudged.needsLogits()).isTrue();
        assertThat(nudged.choose(LOGITS.clone(), 0).token()).isEqualTo(1);
        // -100 bans even a token far ahead of the rest, greedy or sampled
        float[] peaked = {60f, 0f, 0f, 0f, 0f, 0f};
        Sampler banned = sampler(WARM.toBuilder().withLogitBias(Map.of(0, -100.0)).withSeed(4L).build());
        for (int i = 0; i < 500; i++) {
            assertThat(banned.choose(peaked.clone(), 0).token()).isNotZero();
        }
        assertThat(sampler(SamplingParams.builder().withLogitBias(Map.of(0, -100.0)).build()).choose(peaked.clone(), 0).token())
                .isNotZero();
    }

    @Test
    void logitBiasOutOfRangeIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SamplingParams.builder().withLogitBias(Map.of(3, 100.5)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logit_bias");
    }

    /** Allows a fixed set of tokens and records what it was told. */
    static final class AllowOnly implements OutputConstraint.Matcher {
        final Set<Integer> tokens;
        final List<Integer> accepted = new ArrayList<>();

        AllowOnly(Integer... tokens) {
            this.tokens = Set.of(tokens);
        }

        @Override
        public void fillAllowed(long[] allowed) {
            tokens.forEach(t -> allowed[t >>> 6] |= 1L << t);
        }

        @Override
        public void accept(int token) {
            accepted.add(token);
        }

        @Override
        public boolean mustEnd() {
            return accepted.size() >= 3;
        }
    }

    @Test
    void theConstraintsMaskComesBeforeTemperatureAndTheMatcherFollowsEachChoice() {
        // Given a matcher that allows only tokens 3 (logit -1.0) and 4 (0.5)
        AllowOnly greedyMask = new AllowOnly(3, 4);
        Sampler greedy = new Sampler(SamplingParams.GREEDY, 2, LOGITS.length, new int[0], Set.of(), 0, greedyMask);
        assertThat(greedy.needsLogits()).isTrue();
        // Then greedy takes the better of the two, and logprobs list only what could be chosen
        Sampler.Choice c = greedy.choose(LOGITS.clone(), 0);
        assertThat(c.token()).isEqualTo(4);
        assertThat(c.topIds()).containsExactly(4, 3);
        assertThat(Math.exp(c.topLogprobs()[0]) + Math.exp(c.topLogprobs()[1])).isCloseTo(1.0, within(1e-5));
        assertThat(greedyMask.accepted).containsExactly(4);
        // And sampling at a high temperature never leaves the mask
        AllowOnly sampledMask = new AllowOnly(3, 4);
        Sampler hot = new Sampler(WARM.toBuilder().withTemperature(5).withSeed(9L).build(), 5, LOGITS.length, new int[0],
                Set.of(), 0, sampledMask);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Sampler.Choice choice = hot.choose(LOGITS.clone(), 0);
            seen.add(choice.token());
            assertThat(choice.topIds()).hasSize(2);
        }
        assertThat(seen).isSubsetOf(3, 4);
        assertThat(hot.mustEnd()).isTrue();
    }

    @Test
    void whenBiasAndMinTokensLeaveNothingTheConstraintAllowsTheConstraintWins() {
        // token 2 is the only one allowed, banned by the bias and a stop id before min_tokens
        Sampler s = new Sampler(SamplingParams.builder().withLogitBias(Map.of(2, -100.0)).build(), -1, LOGITS.length, new int[0],
                Set.of(2), 5, new AllowOnly(2));
        assertThat(s.choose(LOGITS.clone(), 0).token()).isEqualTo(2);
    }
}
