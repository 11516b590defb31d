package dev.tandem.server.remote;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tandem.server.core.Assert;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * One remote upstream, an entry of the {@code remotes:} section (defaults in
 * {@code tandem-defaults.yaml}); {@link #toBuilder()} changes a copy.
 *
 * @param format the wire format it speaks: {@code anthropic} (Messages API) or {@code openai} (Chat
 *     Completions, also any OpenAI-compatible host)
 * @param enabled null: enabled when an API key is set (an OpenAI-compatible host without keys needs
 *     {@code enabled: true})
 * @param baseUrl without the {@code /v1/...} path, e.g. {@code https://api.anthropic.com}, a proxy, or
 *     a vLLM box {@code http://gpu-box:8000}
 * @param apiKey the upstream key ({@code ${ANTHROPIC_API_KEY}}); never serialized, logged or echoed
 * @param models names served by this upstream: exact names, or prefixes ending in {@code *}
 * @param defaultModel the model used when a request overflows here from local or an alias
 * @param maxTokensField OpenAI format only: {@code max_completion_tokens} (api.openai.com, o-series) or
 *     {@code max_tokens} (older OpenAI-compatible hosts); null elsewhere
 */
public record RemoteConfig(
        String format,
        Boolean enabled,
        String baseUrl,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String apiKey,
        List<String> models,
        String defaultModel,
        String maxTokensField,
        Resilience resilience) {

    public RemoteConfig {
        Assert.notNull(format, "format");
        Assert.notNull(baseUrl, "baseUrl");
        models = List.copyOf(Assert.notNull(models, "models"));
        Assert.notNull(resilience, "resilience");
        URI uri = URI.create(baseUrl);
        Assert.isTrue(uri.getScheme() != null && uri.getScheme().toLowerCase(Locale.ROOT).startsWith("http"),
                "baseUrl must be an http(s) URL: " + baseUrl);
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

    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public String toString() {
        return "RemoteConfig[format=" + format + ", enabled=" + active() + ", baseUrl=" + baseUrl
                + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "(none)" : "***")
                + ", models=" + models + ", defaultModel=" + defaultModel
                + ", maxTokensField=" + maxTokensField + ", resilience=" + resilience + "]";
    }

    public static final class Builder {
        private String format;
        private Boolean enabled;
        private String baseUrl;
        private String apiKey;
        private List<String> models;
        private String defaultModel;
        private String maxTokensField;
        private Resilience resilience;

        private Builder(RemoteConfig c) {
            format = c.format;
            enabled = c.enabled;
            baseUrl = c.baseUrl;
            apiKey = c.apiKey;
            models = c.models;
            defaultModel = c.defaultModel;
            maxTokensField = c.maxTokensField;
            resilience = c.resilience;
        }

        /** @param v null: enabled when an API key is set */
        public Builder withEnabled(Boolean v) {
            enabled = v;
            return this;
        }

        public Builder withBaseUrl(String v) {
            baseUrl = v;
            return this;
        }

        public Builder withApiKey(String v) {
            apiKey = v;
            return this;
        }

        /** The names it serves (exact, or prefixes ending in *) and the one an overflow asks for. */
        public Builder withModels(List<String> names, String defaultName) {
            models = names;
            defaultModel = defaultName;
            return this;
        }

        public Builder withMaxTokensField(String v) {
            maxTokensField = v;
            return this;
        }

        public Builder withResilience(Resilience v) {
            resilience = v;
            return this;
        }

        public RemoteConfig build() {
            return new RemoteConfig(format, enabled, baseUrl, apiKey, models, defaultModel, maxTokensField, resilience);
        }
    }
}
