package dev.tandem.models;

import java.util.List;
import java.util.Set;

/**
 * When a generation ends besides {@code maxTokens}: stop strings (matched across token boundaries and
 * never emitted), extra stop token ids, whether EOS is ignored, and a minimum length before any stop
 * applies.
 */
public record StopRules(List<String> strings, Set<Integer> tokenIds, boolean ignoreEos, int minTokens) {

    public static final StopRules DEFAULT = new StopRules(List.of(), Set.of(), false, 0);

    public StopRules {
        strings = List.copyOf(strings);
        tokenIds = Set.copyOf(tokenIds);
        if (strings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("stop strings must not be empty");
        }
        if (minTokens < 0) {
            throw new IllegalArgumentException("min_tokens must be >= 0");
        }
    }

    public static StopRules strings(List<String> strings) {
        return new StopRules(strings, Set.of(), false, 0);
    }
}
