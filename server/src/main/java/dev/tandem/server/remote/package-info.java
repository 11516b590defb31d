/**
 * The remote upstreams as {@link dev.tandem.server.core.Backend}s, one {@link dev.tandem.server.remote.RemoteBackend}
 * each, composed of the wire format it speaks ({@link dev.tandem.server.remote.WireFormat}: request
 * bodies from typed wire records, stream and reply translators), one HTTP attempt at a time with its
 * idle watchdog, and its Failsafe policies; the registry of upstreams by name
 * ({@link dev.tandem.server.remote.RemoteBackends}, built on first use only) and their configuration.
 *
 * <p>May import: {@code core}.
 */
package dev.tandem.server.remote;
