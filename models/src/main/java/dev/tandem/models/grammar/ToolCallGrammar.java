package dev.tandem.models.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.models.ToolCallSyntax;
import dev.tandem.models.ToolDefinition;
import java.util.ArrayList;
import java.util.List;

/** The grammars of tool calls, in each {@link ToolCallSyntax}. */
final class ToolCallGrammar {
    private static final Spec OPTIONAL_SPACE = LiteralSpec.of("", " ");
    private static final Spec OPTIONAL_NEWLINE = LiteralSpec.of("", "\n");

    private ToolCallGrammar() {}

    /** One call of any of {@code tools}: {@code {"name": "<tool>", "arguments": {…}}}. */
    static Spec call(List<ToolDefinition> tools, SchemaMode mode, List<String> ignored) {
        List<Spec> calls = new ArrayList<>();
        for (ToolDefinition tool : tools) {
            JsonNode parameters = tool.parameters();
            Spec arguments;
            try {
                arguments = SchemaCompiler.compile(parameters, mode, ignored);
            } catch (UnsupportedSchemaException e) {
                throw e.within("/tools/" + tool.name() + "/parameters");
            } catch (InvalidSchemaException e) {
                throw e.within("/tools/" + tool.name() + "/parameters");
            }
            calls.add(new ObjectSpec(List.of(
                    new ObjectSpec.Property("name", LiteralSpec.of(Json.quote(tool.name())), true),
                    new ObjectSpec.Property("arguments", arguments, true)), null));
        }
        return AnyOfSpec.of(calls);
    }

    /** The whole output is calls (an optional space may lead). */
    static Spec callsOnly(ToolCallSyntax syntax, Spec call, boolean several) {
        if (syntax.end() == null) {
            return new SeqSpec(OPTIONAL_SPACE, LiteralSpec.of(syntax.start()), OPTIONAL_SPACE, list(call, several));
        }
        Spec block = block(syntax, call);
        if (!several) {
            return new SeqSpec(OPTIONAL_SPACE, block);
        }
        SeqSpec more = new SeqSpec();
        Spec moreOrNone = AnyOfSpec.of(List.of(LiteralSpec.of(""), more));
        more.define(OPTIONAL_NEWLINE, block, moreOrNone);
        return new SeqSpec(OPTIONAL_SPACE, block, moreOrNone);
    }

    /** Free text; after the start marker, calls. */
    static Spec textThenCalls(ToolCallSyntax syntax, Spec call, boolean several) {
        if (syntax.end() == null) {
            return new FreeTextSpec(syntax.start(), new SeqSpec(OPTIONAL_SPACE, list(call, several)));
        }
        SeqSpec afterMarker = new SeqSpec();
        FreeTextSpec text = new FreeTextSpec(syntax.start(), afterMarker);
        Spec end = LiteralSpec.of(syntax.end());
        if (several) {
            afterMarker.define(OPTIONAL_NEWLINE, call, OPTIONAL_NEWLINE, end, text);
        } else {
            afterMarker.define(OPTIONAL_NEWLINE, call, OPTIONAL_NEWLINE, end);
        }
        return text;
    }

    private static Spec list(Spec call, boolean several) {
        return new ArraySpec(List.of(), call, 1, several ? -1 : 1);
    }

    private static Spec block(ToolCallSyntax syntax, Spec call) {
        return new SeqSpec(LiteralSpec.of(syntax.start()), OPTIONAL_NEWLINE, call, OPTIONAL_NEWLINE, LiteralSpec.of(syntax.end()));
    }
}
