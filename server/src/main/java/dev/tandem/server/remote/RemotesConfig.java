package dev.tandem.server.remote;

/**
 * The {@code remotes:} section: one entry per upstream kind. Unset fields get the upstream's
 * defaults (api.anthropic.com / api.openai.com, model patterns, default model).
 *
 * <pre>
 * remotes:
 *   anthropic:
 *     apiKey: ${ANTHROPIC_API_KEY}
 *     defaultModel: claude-sonnet-4-5
 *   openai:
 *     apiKey: ${OPENAI_API_KEY}
 *     baseUrl: https://api.openai.com      # or a proxy / Azure-style gateway / vLLM box
 *     resilience: { maxAttempts: 3, idleTimeoutMs: 45000 }
 * </pre>
 */
public record RemotesConfig(RemoteConfig anthropic, RemoteConfig openai) {

    public RemotesConfig {
        anthropic = (anthropic == null ? RemoteConfig.anthropicDefaults() : anthropic).orDefaults(RemoteConfig.anthropicDefaults());
        openai = (openai == null ? RemoteConfig.openAiDefaults() : openai).orDefaults(RemoteConfig.openAiDefaults());
    }

    public static RemotesConfig defaults() {
        return new RemotesConfig(null, null);
    }

    /** The config of upstream {@code name} ("anthropic" or "openai"), or null. */
    public RemoteConfig get(String name) {
        return switch (name) {
            case "anthropic" -> anthropic;
            case "openai" -> openai;
            default -> null;
        };
    }
}
