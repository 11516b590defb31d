/**
 * Loopback fakes of the Anthropic and OpenAI upstreams, speaking the real wire formats over real
 * sockets (so a reset is a TCP RST and a stall a silent connection): for the server's tests and the
 * benchmarks' gateway tools; and real PostgreSQL and Redis servers from Maven jars
 * ({@link LocalPostgres}, {@link LocalRedis}).
 */
package dev.tandem.testkit;
