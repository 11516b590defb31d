package dev.tandem.server.config;

/**
 * The whole configuration: one record per section of the YAML file. Sections added later (routing,
 * remotes, auth, limits, ledger, metrics, redaction, cache) each get their own record and a line
 * here, with their defaults in {@code tandem-defaults.yaml}.
 */
public record TandemConfig(ServerSettings server, EngineSettings engine) {

    public TandemConfig {
        Check.that(server != null, "the server section is missing");
        Check.that(engine != null, "the engine section is missing");
    }

    public TandemConfig withServer(ServerSettings v) {
        return new TandemConfig(v, engine);
    }

    public TandemConfig withEngine(EngineSettings v) {
        return new TandemConfig(server, v);
    }
}
