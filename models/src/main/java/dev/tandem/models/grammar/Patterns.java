package dev.tandem.models.grammar;

import java.util.Map;

/**
 * JSON Schema {@code pattern}s (ECMA-262 regular expressions, unanchored unless they start with
 * {@code ^} / end with {@code $}) and some {@code format}s as character automata. Supported: literals,
 * {@code .}, classes ({@code [a-z]}, {@code [^…]}, {@code \d \w \s} and their negations), groups
 * ({@code (…)}, {@code (?:…)}, {@code (?<name>…)}), alternation, quantifiers ({@code * + ? {n} {n,}
 * {n,m}}, lazy or not), escapes ({@code \n \t \r \f \v \0 \xHH \\uHHHH}). Not supported (the pattern is
 * refused): back-references, look-around, word boundaries, anchors inside the pattern.
 */
final class Patterns {
    /**
     * Formats enforced through a pattern, each a subset of what the format allows: days up to 28 (so
     * that every date exists), offsets within ±13:59, lower-case hex in uuids, plain e-mail addresses
     * under five common top-level domains (validators check domains against the real list).
     */
    static final Map<String, String> FORMATS = Map.of(
            "date", "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
            "time", "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])$",
            "date-time", "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                    + "(\\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])$",
            "uuid", "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            "ipv4", "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$",
            "email", "^[a-z0-9]+([._-][a-z0-9]+)*@[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*\\.(com|org|net|io|dev)$");

    private Patterns() {}

    /**
     * The automaton of {@code regex}, or null when it uses a construct that is not supported.
     *
     * @throws InvalidSchemaException when it is not a regular expression at all
     */
    static CharPattern compile(String regex, String path) {
        RegexParser.Node ast;
        try {
            ast = RegexParser.parse(regex);
        } catch (RegexParser.Unsupported e) {
            return null;
        } catch (IllegalArgumentException e) {
            throw new InvalidSchemaException(path, "'" + regex + "' is not a regular expression: " + e.getMessage());
        }
        return RegexAutomaton.of(ast);
    }
}
