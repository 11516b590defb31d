package dev.tandem.server.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tandem.models.Conversation;
import dev.tandem.models.ToolCallSyntax;
import dev.tandem.models.ToolChoice;
import dev.tandem.models.ToolDefinition;
import dev.tandem.models.grammar.ConstraintCompiler;
import dev.tandem.models.grammar.GrammarConstraint;
import dev.tandem.models.grammar.InvalidSchemaException;
import dev.tandem.models.grammar.SchemaMode;
import dev.tandem.models.grammar.UnsupportedSchemaException;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.ResponseFormat;
import dev.tandem.server.core.ToolSpec;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the local model may write for a request, as a constraint on its tokens: the tool calls it may
 * or must make (when tools are offered), the JSON its response format asks for, or either of the two
 * (tools offered with {@code tool_choice: auto} and a JSON format); null for free text.
 * A constraint is compiled once per schema or tool set and kept (the vocabulary's masks it builds are
 * kept with it, so a schema used again costs nothing): the cache is keyed by the canonical text of
 * what was compiled, compact JSON with its keys in the order written (the order the answer's keys
 * follow).
 */
final class LocalConstraints {
    /** Schemas and tool sets kept; the clients of one server reuse a handful. */
    private static final int MAX_KEPT = 256;

    private final ConstraintCompiler compiler;
    private final Cache<String, GrammarConstraint> kept = Caffeine.newBuilder().maximumSize(MAX_KEPT).build();

    LocalConstraints(ConstraintCompiler compiler) {
        this.compiler = compiler;
    }

    /**
     * The constraint of {@code request} (whose conversation is {@code conversation}, its calls written
     * as {@code syntax}), or null. A schema that cannot be enforced is the caller's 400, naming the
     * keyword. With tools offered and {@code tool_choice: auto}, a JSON response format takes the place
     * of free text: the answer is either calls or that JSON.
     */
    GrammarConstraint of(InferenceRequest request, Conversation conversation, ToolCallSyntax syntax) {
        Keyed format = format(request.responseFormat());
        if (!conversation.offersTools()) {
            return format == null ? null : format.constraint();
        }
        boolean parallel = request.toolChoice().parallel();
        if (format == null || conversation.toolChoice().kind() != ToolChoice.Kind.AUTO) {
            return tools(request.tools(), parallel, conversation.tools(), conversation.toolChoice(), syntax).constraint();
        }
        Keyed calls = tools(request.tools(), parallel, conversation.tools(), ToolChoice.REQUIRED, syntax);
        return kept.get("either:" + calls.key() + "\n" + format.key(), k -> compiler.either(calls.constraint(), format.constraint()));
    }

    /** A compiled constraint and the key it is kept under. */
    private record Keyed(String key, GrammarConstraint constraint) {}

    /** The JSON a response format asks for, or null for text. */
    private Keyed format(ResponseFormat format) {
        if (format instanceof ResponseFormat.JsonObject) {
            return keep("json_object", "The response format", compiler::jsonObject);
        }
        if (format instanceof ResponseFormat.JsonSchema schema) {
            JsonNode tree = LocalPrompts.schema(schema.schemaJson());
            SchemaMode mode = schema.strict() ? SchemaMode.STRICT : SchemaMode.BEST_EFFORT;
            return keep("schema:" + mode + ":" + tree, "The response format's schema", () -> compiler.jsonSchema(tree, mode));
        }
        return null;
    }

    /**
     * The calls {@code choice} allows, each tool's arguments valid for its schema. A strict tool's schema
     * must be enforceable in full (checked alone, so that the refusal names the tool).
     */
    private Keyed tools(List<ToolSpec> tools, boolean parallel, List<ToolDefinition> definitions, ToolChoice choice, ToolCallSyntax syntax) {
        for (ToolSpec tool : tools) {
            if (tool.strict()) {
                JsonNode tree = LocalPrompts.schema(tool.inputSchemaJson());
                keep("schema:" + SchemaMode.STRICT + ":" + tree, "The schema of tool '" + tool.name() + "'",
                        () -> compiler.jsonSchema(tree, SchemaMode.STRICT));
            }
        }
        StringBuilder key = new StringBuilder("tools:").append(syntax).append(':').append(choice).append(':').append(parallel);
        for (ToolDefinition t : definitions) {
            key.append('\n').append(t.name()).append('\n').append(t.parameters());
        }
        return keep(key.toString(), "A tool's schema", () -> compiler.toolCalls(syntax, definitions, choice, parallel, SchemaMode.BEST_EFFORT));
    }

    private Keyed keep(String key, String what, Supplier<GrammarConstraint> compile) {
        try {
            return new Keyed(key, kept.get(key, k -> compile.get()));
        } catch (UnsupportedSchemaException e) {
            throw ApiException.invalid(null, what + " cannot be enforced by the local model: " + e.getMessage()
                    + ". Leave '" + e.keyword() + "' out, or send the request without strict.");
        } catch (InvalidSchemaException e) {
            throw ApiException.invalid(null, what + " is not a usable JSON schema: " + e.getMessage() + ".");
        }
    }
}
