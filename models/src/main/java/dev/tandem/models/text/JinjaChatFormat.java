package dev.tandem.models.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.models.ChatMessage;
import dev.tandem.models.Conversation;
import dev.tandem.models.ToolCall;
import dev.tandem.models.ToolCallSyntax;
import dev.tandem.models.ToolDefinition;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.Prompt;
import dev.tandem.models.PromptFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint's own {@code chat_template}, rendered with Jinjava the way transformers'
 * apply_chat_template does: trim_blocks and lstrip_blocks on, Python operator precedence (a filter
 * binds tighter than {@code +}), variables {@code messages}, {@code bos_token}, {@code eos_token},
 * {@code add_generation_prompt = true}, and {@code raise_exception(msg)} failing the request with
 * {@code msg}.
 */
public final class JinjaChatFormat implements PromptFormat {
    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final CodeLlamaInfill infill;
    private final Jinjava jinjava;
    private final boolean handlesTools;
    private static final ObjectMapper JSON = new ObjectMapper();

    JinjaChatFormat(String template, String bosToken, String eosToken, CodeLlamaInfill infill) {
        this.template = template;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.infill = infill;
        this.handlesTools = template.contains("tools");
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(LegacyOverrides.newBuilder().withUseNaturalOperatorPrecedence(true).build())
                .build();
        this.jinjava = new Jinjava(config);
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class,
                "raiseException", String.class));
    }

    @Override
    public Prompt chat(List<ChatMessage> messages) {
        return new Prompt.Text(render(messages), false);
    }

    @Override
    public Prompt chat(Conversation conversation) {
        if (!handlesTools) {
            return chat(DefaultToolPrompt.plainTurns(conversation));
        }
        return new Prompt.Text(render(conversation.messages(), conversation.offersTools() ? conversation.tools() : null), false);
    }

    @Override
    public ToolCallSyntax toolCallSyntax() {
        return handlesTools && template.contains(ToolCallSyntax.HERMES.start()) ? ToolCallSyntax.HERMES : ToolCallSyntax.BRACKETED_LIST;
    }

    String render(List<ChatMessage> messages) {
        return render(messages, null);
    }

    /** {@code tools} null: the template gets none. */
    String render(List<ChatMessage> messages, List<ToolDefinition> tools) {
        if (messages.isEmpty()) {
            throw new InvalidGenerationException("messages", "at least one message is required");
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages.stream().map(JinjaChatFormat::message).toList());
        if (tools != null) {
            context.put("tools", tools.stream().map(JinjaChatFormat::tool).toList());
        }
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        context.put("add_generation_prompt", true);
        RenderResult result = jinjava.renderForResult(template, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new InvalidGenerationException("messages", "chat template: " + templateMessage(error));
            }
        }
        return result.getOutput();
    }

    private static Map<String, Object> message(ChatMessage m) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", m.role());
        map.put("content", m.content());
        if (!m.toolCalls().isEmpty()) {
            map.put("tool_calls", m.toolCalls().stream().map(JinjaChatFormat::toolCall).toList());
        }
        if (m.toolCallId() != null) {
            map.put("tool_call_id", m.toolCallId());
        }
        if (m.name() != null) {
            map.put("name", m.name());
        }
        return map;
    }

    private static Map<String, Object> toolCall(ToolCall call) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", call.name());
        function.put("arguments", JSON.convertValue(DefaultToolPrompt.arguments(call), Object.class));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", call.id());
        map.put("type", "function");
        map.put("function", function);
        return map;
    }

    private static Map<String, Object> tool(ToolDefinition tool) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", tool.name());
        function.put("description", tool.description());
        function.put("parameters", JSON.convertValue(tool.parameters(), Map.class));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", "function");
        map.put("function", function);
        return map;
    }

    private static String templateMessage(TemplateError error) {
        Throwable cause = error.getException();
        while (cause != null) {
            if (cause instanceof TemplateFunctions.RaisedException raised) {
                return raised.getMessage();
            }
            cause = cause.getCause();
        }
        return error.getMessage();
    }

    @Override
    public Prompt infill(String prefix, String suffix) {
        return infill.infill(prefix, suffix);
    }

    /** Functions HF chat templates call. Public because Jinjava invokes them reflectively. */
    public static final class TemplateFunctions {
        private TemplateFunctions() {}

        /** What a template raises to reject a conversation. */
        static final class RaisedException extends RuntimeException {
            RaisedException(String message) {
                super(message);
            }
        }

        public static Object raiseException(String message) {
            throw new RaisedException(message);
        }
    }
}
