/**
 * The assembly, the top layer: {@link dev.tandem.server.Tandem} wires configuration, the local engine,
 * the remote upstreams, the router, the operational steps ({@link dev.tandem.server.Operations}) and
 * the HTTP route table; {@link dev.tandem.server.Main} starts it. May import every package of the
 * server; no package imports it.
 *
 * <pre>
 * layer        packages                                  may import
 * assembly     dev.tandem.server, cli, config            everything below
 * parts        api (+ api.openai, api.responses,         core
 *                   api.anthropic)
 *              local                                     core, models
 *              remote                                    core
 *              routing                                   core, remote
 *              ops (+ ops.*)                              core, ops, some siblings (see each)
 * model        core                                      models (the engine's value types)
 * </pre>
 *
 * {@code LayersTest} fails on any reference that goes the other way.
 */
package dev.tandem.server;
