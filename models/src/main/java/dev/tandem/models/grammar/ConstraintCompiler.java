package dev.tandem.models.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.ToolCallSyntax;
import dev.tandem.models.ToolChoice;
import dev.tandem.models.ToolDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * Compiles JSON schemas (and tool-call formats) into {@link GrammarConstraint}s over one tokenizer's
 * vocabulary. One compiler per tokenizer ({@link #of(Tokenizer)}); it keeps the vocabulary's trie and
 * the constraints it compiled (the last {@value #MAX_CACHED}), so a schema used again is not compiled
 * again and its cached masks are reused. Thread-safe.
 *
 * <p>Outputs are compact: no whitespace but one optional space at the very start and one after each
 * {@code :} and {@code ,}.
 */
public final class ConstraintCompiler {
    static final int MAX_CACHED = 64;
    private static final Map<Tokenizer, ConstraintCompiler> BY_TOKENIZER = new WeakHashMap<>();

    private final Vocabulary vocabulary;
    private final Map<String, GrammarConstraint> compiled = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, GrammarConstraint> eldest) {
            return size() > MAX_CACHED;
        }
    };

    ConstraintCompiler(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /** The compiler of {@code tokenizer}'s vocabulary (made on first use, then shared). */
    public static ConstraintCompiler of(Tokenizer tokenizer) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        synchronized (BY_TOKENIZER) {
            return BY_TOKENIZER.computeIfAbsent(tokenizer, t -> new ConstraintCompiler(Vocabulary.of(t)));
        }
    }

    /** Output that is one value valid for {@code schema}; unsupported keywords are refused. */
    public GrammarConstraint jsonSchema(JsonNode schema) {
        return jsonSchema(schema, SchemaMode.STRICT);
    }

    /**
     * Output that is one value valid for {@code schema}.
     *
     * @throws UnsupportedSchemaException naming a keyword that is not enforced (STRICT only)
     * @throws InvalidSchemaException when the schema is malformed or allows nothing
     */
    public GrammarConstraint jsonSchema(JsonNode schema, SchemaMode mode) {
        Objects.requireNonNull(schema, "schema");
        return cached("schema:" + mode + ":" + Json.write(schema), () -> {
            List<String> ignored = new ArrayList<>();
            Spec spec = SchemaCompiler.compile(schema, mode, ignored);
            return new GrammarConstraint(vocabulary, value(spec), "json schema", ignored);
        });
    }

    /** Output that is any JSON object ({@code response_format: json_object}). */
    public GrammarConstraint jsonObject() {
        return cached("json_object", () -> new GrammarConstraint(vocabulary, value(SchemaCompiler.anyObject()), "json object", List.of()));
    }

    /**
     * Output that calls tools as {@code syntax} writes calls, each call {@code {"name": "<a tool>",
     * "arguments": <valid for that tool's parameters>}} (name first):
     *
     * <ul>
     *   <li>{@code REQUIRED}: the whole output is calls (one, or several when {@code parallel});
     *   <li>{@code NAMED}: the whole output is one call of that tool;
     *   <li>{@code AUTO}: free text; once the syntax's start marker is written, the calls that follow
     *       are constrained (and with {@link ToolCallSyntax#BRACKETED_LIST} end the output);
     *   <li>{@code NONE}: null, no constraint (the prompt shows no tools).
     * </ul>
     *
     * @param mode for the tools' parameter schemas
     */
    public GrammarConstraint toolCalls(ToolCallSyntax syntax, List<ToolDefinition> tools, ToolChoice choice, boolean parallel,
            SchemaMode mode) {
        if (choice.kind() == ToolChoice.Kind.NONE) {
            return null;
        }
        List<ToolDefinition> callable = choice.kind() == ToolChoice.Kind.NAMED
                ? tools.stream().filter(t -> t.name().equals(choice.name())).toList()
                : tools;
        if (callable.isEmpty()) {
            throw new IllegalArgumentException(choice.kind() == ToolChoice.Kind.NAMED
                    ? "no tool is named '" + choice.name() + "'" : "tool calls need at least one tool");
        }
        boolean several = parallel && choice.kind() != ToolChoice.Kind.NAMED;
        StringBuilder key = new StringBuilder("tools:" + syntax + ":" + choice + ":" + several + ":" + mode);
        callable.forEach(t -> key.append('\n').append(Json.quote(t.name())).append(Json.write(t.parameters())));
        return cached(key.toString(), () -> {
            List<String> ignored = new ArrayList<>();
            Spec call = ToolCallGrammar.call(callable, mode, ignored);
            Spec root = choice.kind() == ToolChoice.Kind.AUTO
                    ? ToolCallGrammar.textThenCalls(syntax, call, several)
                    : ToolCallGrammar.callsOnly(syntax, call, several);
            return new GrammarConstraint(vocabulary, root, "tool calls (" + choice.kind() + ")", ignored);
        });
    }

    /**
     * Output that {@code first} or {@code second} allows, whole: for instance tool calls ({@code
     * REQUIRED}) or one JSON value of a response format, which is what {@code tool_choice: auto} with a
     * JSON format lets a model answer. Both are followed until the bytes tell them apart. Not cached
     * here (the two are): a caller that uses one union again keeps it.
     *
     * @throws IllegalArgumentException when the two were compiled for another vocabulary
     */
    public GrammarConstraint either(GrammarConstraint first, GrammarConstraint second) {
        if (first.vocabulary() != vocabulary || second.vocabulary() != vocabulary) {
            throw new IllegalArgumentException("both constraints must be compiled by this compiler");
        }
        List<String> ignored = new ArrayList<>(first.ignoredKeywords());
        ignored.addAll(second.ignoredKeywords());
        return new GrammarConstraint(vocabulary, AnyOfSpec.of(List.of(first.root(), second.root())),
                first.description() + " or " + second.description(), ignored);
    }

    /** A whole output that is one JSON value, with one optional space before it (SentencePiece models like "▁{"). */
    private static Spec value(Spec json) {
        return new SeqSpec(LiteralSpec.of("", " "), json);
    }

    private GrammarConstraint cached(String key, Supplier<GrammarConstraint> compile) {
        synchronized (compiled) {
            GrammarConstraint c = compiled.get(key);
            if (c != null) {
                return c;
            }
        }
        GrammarConstraint c = compile.get();
        synchronized (compiled) {
            GrammarConstraint raced = compiled.putIfAbsent(key, c);
            return raced != null ? raced : c;
        }
    }

    Vocabulary vocabulary() {
        return vocabulary;
    }
}
