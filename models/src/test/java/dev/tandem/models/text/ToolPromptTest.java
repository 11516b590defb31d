package dev.tandem.models.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.models.ChatMessage;
import dev.tandem.models.Conversation;
import dev.tandem.models.Prompt;
import dev.tandem.models.PromptFormat;
import dev.tandem.models.ToolCall;
import dev.tandem.models.ToolCallSyntax;
import dev.tandem.models.ToolChoice;
import dev.tandem.models.ToolDefinition;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.TokenizerSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tools in the prompt: through a template that handles them, and through Tandem's default tool prompt. */
class ToolPromptTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolDefinition WEATHER = new ToolDefinition("get_weather", "Current weather", json(
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));
    private static final List<ChatMessage> HISTORY = List.of(
            new ChatMessage("system", "Be brief."),
            new ChatMessage("user", "Weather in Paris?"),
            ChatMessage.assistant("", List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
            ChatMessage.toolResult("call_1", "get_weather", "18 C"),
            new ChatMessage("assistant", "18 C in Paris."),
            new ChatMessage("user", "And Oslo?"));

    /** A Hermes-style template (as Qwen's): tools in the system turn, calls in <tool_call> blocks, results as tool turns. */
    static final String HERMES_TEMPLATE = "{% if tools %}<|im_start|>system\n{{ messages[0]['content'] }}\n# Tools\n"
            + "{% for tool in tools %}{{ tool | tojson }}\n{% endfor %}<|im_end|>\n{% endif %}"
            + "{% for message in messages %}{% if message['role'] == 'system' and tools %}{% elif message['role'] == 'tool' %}"
            + "<|im_start|>user\n<tool_response>\n{{ message['content'] }}\n</tool_response><|im_end|>\n"
            + "{% else %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
            + "{% if message['tool_calls'] %}{% for call in message['tool_calls'] %}<tool_call>\n"
            + "{\"name\": \"{{ call['function']['name'] }}\", \"arguments\": {{ call['function']['arguments'] | tojson }}}\n"
            + "</tool_call>{% endfor %}{% endif %}<|im_end|>\n{% endif %}{% endfor %}<|im_start|>assistant\n";

    static com.fasterxml.jackson.databind.JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String text(Prompt p) {
        return ((Prompt.Text) p).text();
    }

    @Test
    void theDefaultToolPromptListsToolsAndWritesCallsAndResultsAsTheModelWould() {
        PromptFormat llama2 = PromptFormats.llama2(TokenizerSettings.LLAMA_DEFAULTS, TinyCheckpoint.TOKENIZER);
        String rendered = text(llama2.chat(new Conversation(HISTORY, List.of(WEATHER), ToolChoice.AUTO)));
        assertThat(rendered).isEqualTo("<s>[INST] <<SYS>>\nBe brief.\n\n"
                + "You can call these tools (parameters are JSON Schema):\n"
                + "[{\"name\":\"get_weather\",\"description\":\"Current weather\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}]\n"
                + "To call tools, answer with [TOOL_CALLS] and a JSON list of calls, and nothing else:\n"
                + "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {...}}]\n"
                + "The results come back in the next user turn after [TOOL_RESULTS]. Otherwise answer in plain text.\n"
                + "<</SYS>>\n\nWeather in Paris? [/INST]"
                + " [TOOL_CALLS] [{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}] </s>"
                + "<s>[INST] [TOOL_RESULTS] [{\"call_id\":\"call_1\",\"name\":\"get_weather\",\"content\":\"18 C\"}] [/INST]"
                + " 18 C in Paris. </s><s>[INST] And Oslo? [/INST]");
        assertThat(llama2.toolCallSyntax()).isEqualTo(ToolCallSyntax.BRACKETED_LIST);
    }

    @Test
    void toolChoiceSaysWhatTheModelMustDoAndNoneHidesTheTools() {
        PromptFormat llama2 = PromptFormats.llama2(TokenizerSettings.LLAMA_DEFAULTS, TinyCheckpoint.TOKENIZER);
        List<ChatMessage> ask = List.of(new ChatMessage("user", "Weather?"));
        assertThat(text(llama2.chat(new Conversation(ask, List.of(WEATHER), ToolChoice.REQUIRED))))
                .contains("You must call at least one tool now.");
        assertThat(text(llama2.chat(new Conversation(ask, List.of(WEATHER), ToolChoice.named("get_weather")))))
                .contains("You must call the tool 'get_weather' now.");
        assertThat(text(llama2.chat(new Conversation(ask, List.of(WEATHER), ToolChoice.NONE))))
                .isEqualTo("<s>[INST] Weather? [/INST]");
    }

    @Test
    void aTemplateThatIgnoresToolsGetsTheDefaultToolPrompt() {
        PromptFormat jinja = PromptFormats.jinja(CheckpointGenerator.LLAMA2_CHAT_TEMPLATE, TokenizerSettings.LLAMA_DEFAULTS,
                TinyCheckpoint.TOKENIZER);
        PromptFormat llama2 = PromptFormats.llama2(TokenizerSettings.LLAMA_DEFAULTS, TinyCheckpoint.TOKENIZER);
        Conversation c = new Conversation(HISTORY, List.of(WEATHER), ToolChoice.AUTO);
        assertThat(text(jinja.chat(c))).isEqualTo(text(llama2.chat(c)));
        assertThat(jinja.toolCallSyntax()).isEqualTo(ToolCallSyntax.BRACKETED_LIST);
    }

    @Test
    void aTemplateThatHandlesToolsRendersThemTheHuggingFaceWay() {
        PromptFormat hermes = PromptFormats.jinja(HERMES_TEMPLATE, TokenizerSettings.LLAMA_DEFAULTS, TinyCheckpoint.TOKENIZER);
        String rendered = text(hermes.chat(new Conversation(HISTORY, List.of(WEATHER), ToolChoice.AUTO)));
        assertThat(rendered).startsWith("<|im_start|>system\nBe brief.\n# Tools\n{\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_weather\",\"description\":\"Current weather\",\"parameters\":");
        assertThat(rendered).contains("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                + "{\"city\":\"Paris\"}}\n</tool_call><|im_end|>");
        assertThat(rendered).contains("<tool_response>\n18 C\n</tool_response>");
        assertThat(rendered).endsWith("<|im_start|>user\nAnd Oslo?<|im_end|>\n<|im_start|>assistant\n");
        assertThat(hermes.toolCallSyntax()).isEqualTo(ToolCallSyntax.HERMES);
        // tool_choice none: the template gets no tools
        assertThat(text(hermes.chat(new Conversation(HISTORY, List.of(WEATHER), ToolChoice.NONE)))).doesNotContain("# Tools");
    }
}
