package dev.tandem.models.grammar;

import dev.tandem.models.OutputConstraint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A grammar (a JSON schema, tool calls) compiled for one tokenizer's vocabulary: what {@link
 * ConstraintCompiler} returns. Each matcher follows its output byte by byte; the tokens a state allows
 * are found once, by walking the vocabulary's trie, and kept in a cache keyed by the state (counters
 * far from their bounds clamped, so that the positions of a long string share one entry). Thread-safe;
 * matchers are not.
 *
 * <p>The token budget: a matcher started with {@code maxTokens} allows only tokens after which the
 * shortest completion (in bytes, each at most one token) still fits in the tokens left, so an output
 * ends complete within its budget (when the schema's shortest answer fits at all). While the budget is
 * far, the cached mask is used as it is; near it, the tokens that lengthen the completion too much
 * (kept with the mask) are taken out of it.
 */
public final class GrammarConstraint implements OutputConstraint {
    private static final int MAX_CACHED_MASKS = 4096;

    private final Vocabulary vocabulary;
    private final Spec root;
    private final State initial;
    private final String description;
    private final List<String> ignoredKeywords;
    private final int clamp;
    private final Map<Object, Mask> masks = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Mask> eldest) {
            return size() > MAX_CACHED_MASKS;
        }
    };
    private long masksBuilt;

    GrammarConstraint(Vocabulary vocabulary, Spec root, String description, List<String> ignoredKeywords) {
        this.vocabulary = vocabulary;
        this.root = root;
        this.initial = new State(new Stack(new SeqSpec.At(new SeqSpec(root), 0), null));
        this.description = description;
        this.ignoredKeywords = List.copyOf(ignoredKeywords);
        this.clamp = vocabulary.maxTokenBytes + 1;
    }

    @Override
    public Matcher start() {
        return start(Integer.MAX_VALUE);
    }

    /** A matcher for an output of at most {@code maxTokens} tokens, which it then closes in time. */
    @Override
    public Matcher start(int maxTokens) {
        return new GrammarMatcher(this, initial, maxTokens);
    }

    /**
     * Keywords of the schema that were not enforced (only with {@link SchemaMode#BEST_EFFORT}), as JSON
     * pointers to them.
     */
    public List<String> ignoredKeywords() {
        return ignoredKeywords;
    }

    /** Bytes of the shortest output the grammar allows (each needs at most one token). */
    public int shortestOutput() {
        return initial.remaining;
    }

    Vocabulary vocabulary() {
        return vocabulary;
    }

    /** The grammar, for a constraint that allows this one's outputs among others. */
    Spec root() {
        return root;
    }

    String description() {
        return description;
    }

    /** The allowed tokens of {@code state}, from the cache or built now. */
    Mask mask(State state) {
        Object key = state.key(clamp);
        synchronized (masks) {
            Mask m = masks.get(key);
            if (m != null) {
                return m;
            }
        }
        Mask built = Mask.build(vocabulary, state);
        synchronized (masks) {
            masksBuilt++;
            masks.put(key, built);
        }
        return built;
    }

    /** Sets in {@code allowed} the tokens of {@code state} after which the shortest completion fits in {@code tokensLeft}. */
    void fillWithin(State state, int tokensLeft, long[] allowed) {
        vocabulary.walk(state, (token, after) -> {
            if (after.remaining <= tokensLeft && (token >>> 6) < allowed.length) {
                allowed[token >>> 6] |= 1L << token;
            }
        });
    }

    /** Masks built so far (not found in the cache). */
    long masksBuilt() {
        synchronized (masks) {
            return masksBuilt;
        }
    }

    int cachedMasks() {
        synchronized (masks) {
            return masks.size();
        }
    }

    @Override
    public String toString() {
        return "GrammarConstraint[" + description + "]";
    }
}
