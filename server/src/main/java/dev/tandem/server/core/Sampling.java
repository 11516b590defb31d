package dev.tandem.server.core;

/**
 * Sampling as the caller asked; a null field means "the backend's default". Ranges are validated at
 * the dialect edge.
 */
public record Sampling(
        Double temperature,
        Double topP,
        Integer topK,
        Double minP,
        Long seed,
        Double presencePenalty,
        Double frequencyPenalty,
        Double repetitionPenalty,
        boolean ignoreEos,
        int minTokens) {

    public static final Sampling DEFAULTS = new Sampling(null, null, null, null, null, null, null, null, false, 0);

    /** Deterministic: greedy, or seeded. Such requests may be answered from the cache. */
    public boolean deterministic() {
        return (temperature != null && temperature == 0) || seed != null;
    }
}
