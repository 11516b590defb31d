package dev.tandem.models.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.tandem.models.ChatMessage;
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

    JinjaChatFormat(String template, String bosToken, String eosToken, CodeLlamaInfill infill) {
        this.template = template;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.infill = infill;
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

    String render(List<ChatMessage> messages) {
        if (messages.isEmpty()) {
            throw new InvalidGenerationException("messages", "at least one message is required");
        }
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages.stream().map(m -> {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            return map;
        }).toList());
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
