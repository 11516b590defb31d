package dev.tandem.models.text;

import dev.tandem.models.PromptFormat;
import dev.tandem.models.Tokenizer;
import dev.tandem.models.checkpoint.Checkpoint;
import dev.tandem.models.checkpoint.TokenizerSettings;

/** Chooses a checkpoint's prompt format: its own chat_template when it has one, else Llama-2 chat. */
public final class PromptFormats {
    private PromptFormats() {}

    public static PromptFormat forCheckpoint(Checkpoint checkpoint, Tokenizer tokenizer) {
        TokenizerSettings settings = checkpoint.tokenizerSettings();
        CodeLlamaInfill infill = CodeLlamaInfill.of(tokenizer);
        if (settings.chatTemplate() != null && !settings.chatTemplate().isBlank()) {
            return new JinjaChatFormat(settings.chatTemplate(), settings.bosToken(), settings.eosToken(), infill);
        }
        return llama2(settings, tokenizer);
    }

    /** The Llama-2 / CodeLlama-Instruct format, whatever the checkpoint's template says. */
    public static PromptFormat llama2(TokenizerSettings settings, Tokenizer tokenizer) {
        return new Llama2ChatFormat(settings.bosToken(), settings.eosToken(), CodeLlamaInfill.of(tokenizer));
    }

    /** The given Jinja chat template. */
    public static PromptFormat jinja(String template, TokenizerSettings settings, Tokenizer tokenizer) {
        return new JinjaChatFormat(template, settings.bosToken(), settings.eosToken(), CodeLlamaInfill.of(tokenizer));
    }
}
