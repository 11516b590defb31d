/**
 * The router: the one backend behind the operational steps, which plans each request's chain of
 * backends (model names, the effective policy, what the local model can serve, the engine's load)
 * and walks it until the commit point; the model names clients may use.
 *
 * <p>May import: {@code core}, {@code remote} (the registry of upstreams and their configuration).
 */
package dev.tandem.server.routing;
