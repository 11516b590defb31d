package dev.tandem.server.api;

import dev.tandem.server.core.Backend;
import dev.tandem.server.core.ModelCatalog;

/**
 * What every dialect handler needs: the one backend it talks to (the dispatcher), the model names,
 * the body reader, and two defaults.
 *
 * @param defaultMaxTokens chat max_tokens when the client sends none
 * @param pingMs keep-alive period on streams
 */
public record Edge(Backend backend, ModelCatalog models, Bodies bodies, int defaultMaxTokens, long pingMs) {}
