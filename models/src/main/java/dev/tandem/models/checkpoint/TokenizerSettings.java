package dev.tandem.models.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The optional {@code tokenizer_config.json}: special tokens as text, whether encoding adds BOS/EOS,
 * and the chat template. Special tokens may be written as strings or as AddedToken objects ({@code
 * {"content": "<s>", ...}}); both are read. A list of named chat templates yields its "default" entry.
 *
 * @param chatTemplate Jinja source, or null when the checkpoint has none
 */
public record TokenizerSettings(
        String bosToken, String eosToken, String unkToken, boolean addBosToken, boolean addEosToken, String chatTemplate) {

    /** What Llama tokenizers do when tokenizer_config.json is absent. */
    public static final TokenizerSettings LLAMA_DEFAULTS = new TokenizerSettings("<s>", "</s>", "<unk>", true, false, null);

    static TokenizerSettings fromJson(JsonNode n) {
        return new TokenizerSettings(
                token(n.get("bos_token"), LLAMA_DEFAULTS.bosToken()),
                token(n.get("eos_token"), LLAMA_DEFAULTS.eosToken()),
                token(n.get("unk_token"), LLAMA_DEFAULTS.unkToken()),
                n.path("add_bos_token").asBoolean(true),
                n.path("add_eos_token").asBoolean(false),
                chatTemplate(n.get("chat_template")));
    }

    private static String token(JsonNode v, String fallback) {
        if (v == null || v.isMissingNode()) {
            return fallback;
        }
        if (v.isNull()) {
            return null;
        }
        if (v.isObject()) {
            return v.path("content").asText(fallback);
        }
        return v.asText();
    }

    static String chatTemplate(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isArray()) {
            for (JsonNode named : v) {
                if ("default".equals(named.path("name").asText())) {
                    return named.path("template").asText(null);
                }
            }
        }
        return null;
    }

    public TokenizerSettings withChatTemplate(String v) {
        return new TokenizerSettings(bosToken, eosToken, unkToken, addBosToken, addEosToken, v);
    }
}
