package dev.tandem.models.sampling;

import dev.tandem.models.OutputConstraint;
import dev.tandem.models.SamplingParams;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Chooses one sequence's next tokens from its logits, and remembers what it chose (for penalties). One
 * per sequence, with its own random generator: the same seed and the same logits give the same tokens
 * whatever else shares the batch. Not thread-safe.
 *
 * <p>Order of processing, as vLLM does it: repetition penalty (HF: divide positive logits, multiply
 * negative ones, over prompt and output tokens), presence and frequency penalties (OpenAI: subtract over
 * output tokens), logit bias (added; -100 bans), stop ids masked before {@code minTokens}, the output
 * constraint's mask (what it disallows is -inf, whatever the bias), temperature; then min_p, top_k and
 * top_p truncate the distribution that is sampled. Temperature 0 is greedy (argmax, lowest id on ties).
 * Should the bias and min_tokens leave nothing the constraint allows, the constraint wins: the choice is
 * made among its tokens alone.
 *
 * <p>Logprobs are the log-softmax of the processed logits (after penalties, bias, masking and
 * temperature, before truncation by top_k / top_p / min_p), i.e. vLLM's "processed_logprobs"; greedy
 * uses temperature 1 for them. Masked tokens (-inf) are never listed as alternatives, so fewer than
 * asked may come back while a constraint allows only a few tokens.
 */
public final class Sampler {
    private final SamplingParams params;
    private final int topLogprobs;
    private final int vocab;
    private final int minTokens;
    private final int[] suppressedBeforeMin;
    private final SplittableRandom random;
    private final BitSet seen = new BitSet();   // prompt and output tokens, for the repetition penalty
    private final int[] outputCounts;            // per token id, for presence / frequency penalties
    private final int[] biasIds;                 // logit_bias, ids within the vocabulary
    private final float[] biases;
    private final OutputConstraint.Matcher matcher; // null: free text
    private final long[] allowed;                // the matcher's mask, reused each step
    private int generated;

    /**
     * @param topLogprobs -1: none; 0: the chosen token's; N: plus the N most likely
     * @param stopIds ids that end the sequence (EOS unless ignored, stop token ids), masked before minTokens
     */
    public Sampler(SamplingParams params, int topLogprobs, int vocab, int[] promptTokens, Set<Integer> stopIds, int minTokens) {
        this(params, topLogprobs, vocab, promptTokens, stopIds, minTokens, null);
    }

    /**
     * As above, with the output constrained by {@code matcher} (null: free text): each choice is made
     * among the tokens it allows, and it follows each chosen token.
     */
    public Sampler(SamplingParams params, int topLogprobs, int vocab, int[] promptTokens, Set<Integer> stopIds, int minTokens,
            OutputConstraint.Matcher matcher) {
        this.params = params;
        this.topLogprobs = topLogprobs;
        this.vocab = vocab;
        this.minTokens = minTokens;
        this.suppressedBeforeMin = stopIds.stream().mapToInt(Integer::intValue).filter(i -> i >= 0 && i < vocab).toArray();
        this.random = params.seed() == null ? new SplittableRandom() : new SplittableRandom(params.seed());
        this.outputCounts = hasPenalties(params) ? new int[vocab] : null;
        this.biasIds = params.logitBias().keySet().stream().mapToInt(Integer::intValue).filter(i -> i < vocab).sorted().toArray();
        this.biases = new float[biasIds.length];
        for (int i = 0; i < biasIds.length; i++) {
            biases[i] = params.logitBias().get(biasIds[i]).floatValue();
        }
        this.matcher = matcher;
        this.allowed = matcher == null ? null : new long[(vocab + 63) >>> 6];
        for (int t : promptTokens) {
            seen.set(t);
        }
    }

    /** One choice, with its logprob (NaN when not asked for) and the top alternatives (empty unless asked). */
    public record Choice(int token, float logprob, int[] topIds, float[] topLogprobs) {}

    /**
     * False when the device's argmax of the raw logits is this step's choice (greedy, no penalties, no
     * logprobs, no masking), so only one int per sequence has to leave the device.
     */
    public boolean needsLogits() {
        return !params.greedy() || outputCounts != null || params.repetitionPenalty() != 1 || topLogprobs >= 0
                || (generated < minTokens && suppressedBeforeMin.length > 0) || matcher != null || biasIds.length > 0;
    }

    /** True when the constrained output is complete and nothing but its end may follow. */
    public boolean mustEnd() {
        return matcher != null && matcher.mustEnd();
    }

    /** Records a token chosen on the device (only valid when {@link #needsLogits()} was false). */
    public Choice acceptArgmax(int token) {
        if (matcher != null) {
            matcher.accept(token);
        }
        record(token);
        return new Choice(token, Float.NaN, new int[0], new float[0]);
    }

    /** Chooses from {@code logits[offset .. offset + vocab)} (which it may modify) and records the choice. */
    public Choice choose(float[] logits, int offset) {
        float[] l = Arrays.copyOfRange(logits, offset, offset + vocab);
        applyPenalties(l);
        applyBias(l);
        if (generated < minTokens) {
            for (int id : suppressedBeforeMin) {
                l[id] = Float.NEGATIVE_INFINITY;
            }
        }
        if (matcher != null) {
            Arrays.fill(allowed, 0);
            matcher.fillAllowed(allowed);
            applyMask(l, allowed);
            if (l[argmax(l)] == Float.NEGATIVE_INFINITY) {
                // bias and min_tokens left nothing the constraint allows: the constraint wins
                l = Arrays.copyOfRange(logits, offset, offset + vocab);
                applyMask(l, allowed);
            }
        }
        int token;
        if (params.greedy()) {
            token = argmax(l);
        } else {
            float inv = (float) (1 / params.temperature());
            for (int i = 0; i < l.length; i++) {
                l[i] *= inv;
            }
            token = sample(l);
        }
        Choice choice = topLogprobs < 0 ? new Choice(token, Float.NaN, new int[0], new float[0]) : withLogprobs(l, token);
        if (matcher != null) {
            matcher.accept(token);
        }
        record(token);
        return choice;
    }

    /** Tokens chosen so far. */
    public int generated() {
        return generated;
    }

    private void record(int token) {
        generated++;
        seen.set(token);
        if (outputCounts != null) {
            outputCounts[token]++;
        }
    }

    private void applyPenalties(float[] l) {
        float rep = (float) params.repetitionPenalty();
        if (rep != 1) {
            for (int t = seen.nextSetBit(0); t >= 0 && t < l.length; t = seen.nextSetBit(t + 1)) {
                l[t] = l[t] > 0 ? l[t] / rep : l[t] * rep;
            }
        }
        if (outputCounts != null) {
            float presence = (float) params.presencePenalty();
            float frequency = (float) params.frequencyPenalty();
            for (int t = 0; t < l.length; t++) {
                if (outputCounts[t] > 0) {
                    l[t] -= frequency * outputCounts[t] + presence;
                }
            }
        }
    }

    private void applyBias(float[] l) {
        for (int i = 0; i < biasIds.length; i++) {
            l[biasIds[i]] = biases[i] <= SamplingParams.BAN ? Float.NEGATIVE_INFINITY : l[biasIds[i]] + biases[i];
        }
    }

    /** Tokens outside {@code mask} become -inf. */
    private static void applyMask(float[] l, long[] mask) {
        for (int w = 0; w < mask.length; w++) {
            long word = mask[w];
            if (word == -1L) {
                continue;
            }
            int base = w << 6;
            int end = Math.min(l.length, base + 64);
            for (int i = base; i < end; i++) {
                if ((word & (1L << i)) == 0) {
                    l[i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    /** Samples from softmax(l) after min_p, top_k and top_p. */
    private int sample(float[] l) {
        float max = l[argmax(l)];
        double[] probs = new double[l.length];
        double sum = 0;
        for (int i = 0; i < l.length; i++) {
            probs[i] = Math.exp(l[i] - max);
            sum += probs[i];
        }
        // probs are relative to the most likely token (its value is 1)
        double floor = params.minP(); // min_p: keep tokens at least min_p times as likely as the most likely
        boolean truncates = params.topK() > 0 || params.topP() < 1;
        if (!truncates && floor == 0) {
            return pick(probs, null, probs.length, sum);
        }
        int[] order = candidates(probs, floor, sum);
        int keep = order.length;
        if (params.topK() > 0) {
            keep = Math.min(keep, params.topK());
        }
        if (params.topP() < 1) {
            double kept = 0;
            for (int i = 0; i < keep; i++) {
                kept += probs[order[i]];
            }
            double cumulative = 0;
            int n = 0;
            while (n < keep) {
                cumulative += probs[order[n]];
                n++;
                if (cumulative >= params.topP() * kept) {
                    break;
                }
            }
            keep = n;
        }
        double total = 0;
        for (int i = 0; i < keep; i++) {
            total += probs[order[i]];
        }
        return pick(probs, order, keep, total);
    }

    /** Inverse CDF over the first {@code n} ids of {@code order} (all ids in index order when null). */
    private int pick(double[] probs, int[] order, int n, double total) {
        double u = random.nextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            int id = order == null ? i : order[i];
            cumulative += probs[id];
            if (u < cumulative) {
                return id;
            }
        }
        return order == null ? n - 1 : order[n - 1];
    }

    /**
     * The ids top_k / top_p may keep, most likely first (ties: lower id first), all at least {@code floor}.
     * Sorting the whole vocabulary per token is slow, so only ids above a threshold are sorted: the
     * threshold starts high and is lowered until the candidates hold top_k ids and top_p's mass. Every
     * id left out is less likely than every id kept, so the result is the same as a full sort's prefix.
     */
    private int[] candidates(double[] probs, double floor, double sum) {
        double threshold = Math.max(floor, 1e-3);
        while (true) {
            int count = 0;
            double mass = 0;
            for (double p : probs) {
                if (p >= threshold) {
                    count++;
                    mass += p;
                }
            }
            boolean enoughForTopK = params.topK() == 0 || count >= params.topK();
            boolean enoughForTopP = params.topP() >= 1 || mass >= params.topP() * sum;
            if ((enoughForTopK && enoughForTopP) || threshold <= floor) {
                return byDescendingProbability(probs, threshold, count);
            }
            threshold = Math.max(floor, threshold * 1e-3);
            if (threshold < 1e-30) {
                threshold = floor; // take everything above the floor
            }
        }
    }

    /** The {@code count} ids with probs[i] >= threshold, most likely first (ties: lower id first). */
    private static int[] byDescendingProbability(double[] probs, double threshold, int count) {
        long[] keys = new long[count];
        int n = 0;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] >= threshold && probs[i] > 0) {
                // Non-negative floats sort like their bits; invert to sort descending, id breaks ties
                long bits = Float.floatToIntBits((float) probs[i]);
                keys[n++] = ((0x7fffffffL - bits) << 32) | i;
            }
        }
        Arrays.sort(keys, 0, n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    private Choice withLogprobs(float[] l, int token) {
        float max = l[argmax(l)];
        double sum = 0;
        for (float v : l) {
            sum += Math.exp(v - max);
        }
        float logZ = (float) (max + Math.log(sum));
        int finite = 0;
        for (float v : l) {
            if (v != Float.NEGATIVE_INFINITY) {
                finite++;
            }
        }
        int n = Math.min(topLogprobs, finite);
        int[] topIds = new int[n];
        float[] top = new float[n];
        // Partial selection of the n largest, ties to the lower id
        boolean[] taken = new boolean[n == 0 ? 0 : l.length];
        for (int k = 0; k < n; k++) {
            int best = -1;
            for (int i = 0; i < l.length; i++) {
                if (!taken[i] && (best < 0 || l[i] > l[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            topIds[k] = best;
            top[k] = l[best] - logZ;
        }
        return new Choice(token, l[token] - logZ, topIds, top);
    }

    static int argmax(float[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }

    private static boolean hasPenalties(SamplingParams p) {
        return p.presencePenalty() != 0 || p.frequencyPenalty() != 0;
    }
}
