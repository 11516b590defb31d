package dev.tandem.models.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.models.ChatMessage;
import dev.tandem.models.InvalidGenerationException;
import dev.tandem.models.Prompt;
import dev.tandem.models.PromptFormat;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.models.checkpoint.TokenizerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChatFormatTest {
    private final HfTokenizer tokenizer = TinyCheckpoint.TOKENIZER;
    private final Llama2ChatFormat llama2 = (Llama2ChatFormat) PromptFormats.llama2(TokenizerSettings.LLAMA_DEFAULTS, tokenizer);

    private static ChatMessage system(String s) {
        return new ChatMessage("system", s);
    }

    private static ChatMessage user(String s) {
        return new ChatMessage("user", s);
    }

    private static ChatMessage assistant(String s) {
        return new ChatMessage("assistant", s);
    }

    @Test
    void llama2FormatWithSystemPromptAndHistory() {
        String rendered = llama2.render(List.of(
                system("You are a pirate."),
                user("Hello, how are you?"),
                assistant("I'm doing great. How can I help?"),
                user("Show me a loop.")));
        assertThat(rendered).isEqualTo("<s>[INST] <<SYS>>\nYou are a pirate.\n<</SYS>>\n\nHello, how are you? [/INST]"
                + " I'm doing great. How can I help? </s><s>[INST] Show me a loop. [/INST]");
    }

    @Test
    void llama2FormatStripsTurnsAndReturnsTextWithBosAlreadyInIt() {
        Prompt prompt = llama2.chat(List.of(user("  \n write code \n ")));
        assertThat(prompt).isEqualTo(new Prompt.Text("<s>[INST] write code [/INST]", false));
    }

    @Test
    void rolesMustAlternate() {
        assertThatThrownBy(() -> llama2.render(List.of(user("a"), user("b"))))
                .isInstanceOf(InvalidGenerationException.class)
                .hasMessageContaining("Conversation roles must alternate");
    }

    static Stream<List<ChatMessage>> conversations() {
        return Stream.of(
                List.of(user("Hi")),
                List.of(system("Be brief."), user("What is Java?")),
                List.of(user("  padded  \n"), assistant(" answer "), user("more")),
                List.of(system("  sys with spaces  "), user("q1"), assistant("a1"), user("q2"), assistant("a2"), user("q3")),
                List.of(user("code:\n```java\nint x = 1;\n```"), assistant("ok"), user("é 中 😀")));
    }

    @ParameterizedTest
    @MethodSource("conversations")
    void theCheckpointsJinjaTemplateRendersLikeTheLlama2Format(List<ChatMessage> conversation) {
        PromptFormat jinja = PromptFormats.forCheckpoint(TinyCheckpoint.CHECKPOINT, tokenizer);
        assertThat(jinja).isInstanceOf(JinjaChatFormat.class);
        assertThat(jinja.chat(conversation)).isEqualTo(llama2.chat(conversation));
    }

    @Test
    void theTemplatesRaiseExceptionRejectsTheConversation() {
        PromptFormat jinja = PromptFormats.forCheckpoint(TinyCheckpoint.CHECKPOINT, tokenizer);
        assertThatThrownBy(() -> jinja.chat(List.of(assistant("first"), user("second"))))
                .isInstanceOf(InvalidGenerationException.class)
                .hasMessageContaining("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void otherTemplatesSeeTheStandardVariables() {
        String chatml = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
        PromptFormat format = PromptFormats.jinja(chatml, TokenizerSettings.LLAMA_DEFAULTS, tokenizer);
        assertThat(format.chat(List.of(system("s"), user("u"))))
                .isEqualTo(new Prompt.Text("<|im_start|>system\ns<|im_end|>\n<|im_start|>user\nu<|im_end|>\n"
                        + "<|im_start|>assistant\n", false));
    }

    @Test
    void infillIsCodeLlamaFillInTheMiddleAsTokenIds() {
        PromptFormat format = PromptFormats.forCheckpoint(TinyCheckpoint.CHECKPOINT, tokenizer);
        int pre = tokenizer.pieceId("▁<PRE>");
        int suf = tokenizer.pieceId("▁<SUF>");
        int mid = tokenizer.pieceId("▁<MID>");

        int[] ids = ((Prompt.Tokens) format.infill("def add(a, b):\n    ", "\n    return c")).ids();

        // <s> ▁<PRE> {prefix with its leading space} ▁<SUF> {suffix without one} ▁<MID>
        int[] prefix = tokenizer.encode("def add(a, b):\n    ", false);
        assertThat(ids[0]).isEqualTo(1);
        assertThat(ids[1]).isEqualTo(pre);
        assertThat(Arrays.copyOfRange(ids, 2, 2 + prefix.length)).isEqualTo(prefix);
        assertThat(ids[2 + prefix.length]).isEqualTo(suf);
        assertThat(ids[ids.length - 1]).isEqualTo(mid);
        int[] suffix = Arrays.copyOfRange(ids, 3 + prefix.length, ids.length - 1);
        assertThat(tokenizer.tokenText(suffix[0])).isEqualTo("\n");
        assertThat(tokenizer.decode(suffix)).isEqualTo("\n    return c");
        assertThat(tokenizer.tokenText(tokenizer.encode("x", false)[0])).startsWith(" "); // unlike the prefix
    }

    @Test
    void infillSuffixStartingWithALetterHasNoLeadingSpace() {
        PromptFormat format = PromptFormats.forCheckpoint(TinyCheckpoint.CHECKPOINT, tokenizer);
        int[] ids = ((Prompt.Tokens) format.infill("a", "return")).ids();
        int sufAt = 0;
        while (ids[sufAt] != tokenizer.pieceId("▁<SUF>")) {
            sufAt++;
        }
        assertThat(tokenizer.tokenText(ids[sufAt + 1])).doesNotStartWith(" ");
        assertThat(tokenizer.decode(Arrays.copyOfRange(ids, sufAt + 1, ids.length - 1))).isEqualTo("return");
    }

    @Test
    void infillIsRefusedWhenTheTokenizerHasNoInfillTokens(@TempDir Path dir) throws Exception {
        // Given a checkpoint whose tokenizer.json lacks CodeLlama's added infill tokens
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(dir.resolve("tokenizer.json").toFile());
        ArrayNode added = (ArrayNode) root.get("added_tokens");
        for (int i = added.size() - 1; i >= 0; i--) {
            if (added.get(i).get("content").asText().startsWith("▁<")) {
                added.remove(i);
            }
        }
        // and whose vocabulary spells them differently (ids stay contiguous), like a plain Llama 2 file
        ObjectNode vocab = (ObjectNode) root.get("model").get("vocab");
        for (String piece : List.of("▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>")) {
            vocab.set(piece.replace("<", "<x"), vocab.remove(piece));
        }
        Files.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(root));

        try (Checkpoint checkpoint = Checkpoint.open(dir); HfTokenizer plain = HfTokenizer.open(checkpoint)) {
            PromptFormat format = PromptFormats.forCheckpoint(checkpoint, plain);
            assertThat(plain.eosIds()).containsExactly(2);
            assertThatThrownBy(() -> format.infill("a", "b"))
                    .isInstanceOf(InvalidGenerationException.class)
                    .hasMessageContaining("infill");
        }
    }
}
