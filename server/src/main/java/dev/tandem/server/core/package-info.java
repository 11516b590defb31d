/**
 * The internal model, the bottom layer: what a request is ({@link dev.tandem.server.core.InferenceRequest}
 * with its {@link dev.tandem.server.core.Caller} and {@link dev.tandem.server.core.Policy}), what a
 * backend emits ({@link dev.tandem.server.core.InferenceEvent}), the one seam every backend and every
 * step implements ({@link dev.tandem.server.core.Backend}), the failures a caller can see
 * ({@link dev.tandem.server.core.ApiException} with its kind and code), the model catalog, route
 * reasons, circuit states, and the commit gate. Knows no dialect, no HTTP and no configuration file.
 *
 * <p>May import: the JDK, {@code dev.tandem.models} (the engine's value types), SLF4J. Nothing else of
 * the server.
 */
package dev.tandem.server.core;
