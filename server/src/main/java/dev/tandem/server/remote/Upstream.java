package dev.tandem.server.remote;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Optional;

/**
 * One configured upstream: its name (what Started and errors say), its configuration, and the
 * scrubber that keeps its key out of every message.
 */
record Upstream(String name, RemoteConfig config, KeyScrubber scrubber) {

    static Upstream of(String name, RemoteConfig config) {
        return new Upstream(name, config, new KeyScrubber(config.apiKey()));
    }

    /** The upstream model for {@code requested}: itself when this upstream serves it, else the default. */
    String model(String requested) {
        return config.serves(requested) || config.defaultModel() == null ? requested : config.defaultModel();
    }

    /**
     * A POST of {@code body} (a wire record, or a JSON tree) to {@code path}, asking for an event stream or
     * one JSON answer; auth is the caller's to add.
     */
    HttpRequest.Builder post(String path, Object body, boolean stream) {
        String base = config.baseUrl().endsWith("/") ? config.baseUrl().substring(0, config.baseUrl().length() - 1) : config.baseUrl();
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("content-type", "application/json")
                .header("accept", stream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(UpstreamJson.write(body)));
    }

    /** The configured API key, unless none is set (a keyless OpenAI-compatible host). */
    Optional<String> apiKey() {
        return Optional.ofNullable(config.apiKey()).filter(k -> !k.isBlank());
    }
}
