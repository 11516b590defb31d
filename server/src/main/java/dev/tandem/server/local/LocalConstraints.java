package dev.tandem.server.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tandem.models.Conversation;
import dev.tandem.models.ToolCallSyntax;
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
 * or must make (when tools are offered), or the JSON its response format asks for; null for free text.
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
     * keyword.
     */
    GrammarConstraint of(InferenceRequest request, Conversation conversation, ToolCallSyntax syntax) {
        if (conversation.offersTools()) {
            return tools(request.tools(), request.toolChoice().parallel(), conversation, syntax);
        }
        ResponseFormat format = request.responseFormat();
        if (format instanceof ResponseFormat.JsonObject) {
            return kept.get("json_object", k -> compiler.jsonObject());
        }
        if (format instanceof ResponseFormat.JsonSchema schema) {
            JsonNode tree = LocalPrompts.schema(schema.schemaJson());
            SchemaMode mode = schema.strict() ? SchemaMode.STRICT : SchemaMode.BEST_EFFORT;
            return compile("schema:" + mode + ":" + tree, "The response format's schema",
                    () -> compiler.jsonSchema(tree, mode));
        }
        return null;
    }

    /**
     * The calls the choice allows, each tool's arguments valid for its schema. A strict tool's schema
     * must be enforceable in full (checked alone, so that the refusal names the tool).
     */
    private GrammarConstraint tools(List<ToolSpec> tools, boolean parallel, Conversation conversation, ToolCallSyntax syntax) {
        for (ToolSpec tool : tools) {
            if (tool.strict()) {
                JsonNode tree = LocalPrompts.schema(tool.inputSchemaJson());
                compile("schema:" + SchemaMode.STRICT + ":" + tree, "The schema of tool '" + tool.name() + "'",
                        () -> compiler.jsonSchema(tree, SchemaMode.STRICT));
            }
        }
        StringBuilder key = new StringBuilder("tools:").append(syntax).append(':').append(conversation.toolChoice()).append(':')
                .append(parallel);
        for (ToolDefinition t : conversation.tools()) {
            key.append('\n').append(t.name()).append('\n').append(t.parameters());
        }
        return compile(key.toString(), "A tool's schema", () -> compiler.toolCalls(syntax, conversation.tools(),
                conversation.toolChoice(), parallel, SchemaMode.BEST_EFFORT));
    }

    private GrammarConstraint compile(String key, String what, Supplier<GrammarConstraint> compile) {
        try {
            return kept.get(key, k -> compile.get());
        } catch (UnsupportedSchemaException e) {
            throw ApiException.invalid(null, what + " cannot be enforced by the local model: " + e.getMessage()
                    + ". Leave '" + e.keyword() + "' out, or send the request without strict.");
        } catch (InvalidSchemaException e) {
            throw ApiException.invalid(null, what + " is not a usable JSON schema: " + e.getMessage() + ".");
        }
    }
}
