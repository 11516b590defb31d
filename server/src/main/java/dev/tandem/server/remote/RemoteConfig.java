package dev.tandem.server.remote;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * One remote upstream ({@code remotes.anthropic} or {@code remotes.openai}).
 *
 * @param enabled null: enabled when an API key is set (an OpenAI-compatible host without keys needs
 *     {@code enabled: true})
 * @param baseUrl without the {@code /v1/...} path, e.g. {@code https://api.anthropic.com}, a proxy, or
 *     a vLLM box {@code http://gpu-box:8000}
 * @param apiKey the upstream key ({@code ${ANTHROPIC_API_KEY}}); never serialized, logged or echoed
 * @param models names served by this upstream: exact names, or prefixes ending in {@code *}
 * @param defaultModel the model used when a request overflows here from local or an alias
 * @param maxTokensField OpenAI only: {@code max_completion_tokens} (api.openai.com, o-series) or
 *     {@code max_tokens} (older OpenAI-compatible hosts)
 */
public record RemoteConfig(
        Boolean enabled,
        String baseUrl,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String apiKey,
        List<String> models,
        String defaultModel,
        String maxTokensField,
        Resilience resilience) {

    public RemoteConfig {
        models = models == null ? List.of() : List.copyOf(models);
        resilience = resilience == null ? Resilience.defaults() : resilience;
        if (baseUrl != null) {
            URI uri = URI.create(baseUrl);
            if (uri.getScheme() == null || !uri.getScheme().toLowerCase(Locale.ROOT).startsWith("http")) {
                throw new IllegalArgumentException("baseUrl must be an http(s) URL: " + baseUrl);
            }
        }
    }

    public static RemoteConfig anthropicDefaults() {
        return new RemoteConfig(null, "https://api.anthropic.com", null, List.of("claude-*"), "claude-sonnet-4-5", null, null);
    }

    public static RemoteConfig openAiDefaults() {
        return new RemoteConfig(null, "https://api.openai.com", null,
                List.of("gpt-*", "chatgpt-*", "o1*", "o3*", "o4*"), "gpt-4o", "max_completion_tokens", null);
    }

    /** Unset fields taken from {@code defaults}. */
    RemoteConfig orDefaults(RemoteConfig d) {
        return new RemoteConfig(enabled,
                baseUrl != null ? baseUrl : d.baseUrl,
                apiKey,
                models.isEmpty() ? d.models : models,
                defaultModel != null ? defaultModel : d.defaultModel,
                maxTokensField != null ? maxTokensField : d.maxTokensField,
                resilience);
    }

    public boolean active() {
        return enabled != null ? enabled : apiKey != null && !apiKey.isBlank();
    }

    /** True when {@code model} is one of this upstream's names. */
    public boolean serves(String model) {
        for (String pattern : models) {
            if (pattern.endsWith("*") ? model.startsWith(pattern.substring(0, pattern.length() - 1)) : model.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    public RemoteConfig withBaseUrl(String v) {
        return new RemoteConfig(enabled, v, apiKey, models, defaultModel, maxTokensField, resilience);
    }

    public RemoteConfig withApiKey(String v) {
        return new RemoteConfig(enabled, baseUrl, v, models, defaultModel, maxTokensField, resilience);
    }

    public RemoteConfig withResilience(Resilience v) {
        return new RemoteConfig(enabled, baseUrl, apiKey, models, defaultModel, maxTokensField, v);
    }

    @Override
    public String toString() {
        return "RemoteConfig[enabled=" + active() + ", baseUrl=" + baseUrl
                + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "(none)" : "***")
                + ", models=" + models + ", defaultModel=" + defaultModel
                + ", maxTokensField=" + maxTokensField + ", resilience=" + resilience + "]";
    }
}
