package dev.tandem.server.remote;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code remotes:} section: the upstreams by name, in configuration order. Each says which wire
 * format it speaks: adding an upstream of a known format is one entry here, and a new format one
 * {@link WireFormat}.
 *
 * <pre>
 * remotes:
 *   anthropic:
 *     format: anthropic
 *     apiKey: ${ANTHROPIC_API_KEY}
 *     defaultModel: claude-sonnet-4-5
 *   openai:
 *     format: openai
 *     apiKey: ${OPENAI_API_KEY}
 *     baseUrl: https://api.openai.com      # or a proxy / Azure-style gateway / vLLM box
 *     resilience: { maxAttempts: 3, idleTimeoutMs: 45000 }
 * </pre>
 */
public record RemotesConfig(Map<String, RemoteConfig> upstreams) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public RemotesConfig {
        Map<String, RemoteConfig> ordered = new LinkedHashMap<>();
        upstreams.forEach((name, config) -> {
            if (config == null) {
                throw new IllegalArgumentException("remotes." + name + " is empty");
            }
            if (!WireFormat.FORMATS.containsKey(config.format())) {
                throw new IllegalArgumentException("remotes." + name + ".format must be one of " + WireFormat.NAMES
                        + ", was " + config.format());
            }
            ordered.put(name, config);
        });
        upstreams = Collections.unmodifiableMap(ordered);
    }

    /** The configured upstreams by name, in configuration order (enabled or not). */
    @JsonValue
    @Override
    public Map<String, RemoteConfig> upstreams() {
        return upstreams;
    }

    /** The config of upstream {@code name}, or null. */
    public RemoteConfig get(String name) {
        return upstreams.get(name);
    }
}
