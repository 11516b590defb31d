package dev.tandem.server;

import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.Engines;
import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import dev.tandem.server.api.Bodies;
import dev.tandem.server.api.ErrorResponses;
import dev.tandem.server.api.Health;
import dev.tandem.server.api.JettyErrors;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Models;
import dev.tandem.server.api.RequestIds;
import dev.tandem.server.api.ServePath;
import dev.tandem.server.api.anthropic.CountTokens;
import dev.tandem.server.api.anthropic.Messages;
import dev.tandem.server.api.openai.ChatCompletions;
import dev.tandem.server.api.openai.Completions;
import dev.tandem.server.api.openai.Tokenization;
import dev.tandem.server.api.responses.Responses;
import dev.tandem.server.api.responses.StoredResponses;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.ServerSettings;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.ModelCatalog;
import dev.tandem.server.local.LocalBackend;
import dev.tandem.server.local.LocalModel;
import dev.tandem.server.ops.gate.AuthFilter;
import dev.tandem.server.ops.logging.LogSetup;
import dev.tandem.server.remote.RemoteBackends;
import dev.tandem.server.routing.RoutedModels;
import dev.tandem.server.routing.Router;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import io.javalin.json.JavalinJackson;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembly: configuration → local engine → remote upstreams → router → the operational steps →
 * the HTTP app. Everything Tandem is made of is wired here (with {@link Operations}) and nowhere else.
 *
 * <p>The dispatcher is the one {@link Backend} the dialect edges talk to: the gate (key, model list,
 * limits, budget), then the ledger and metrics, then the cache, then the {@link Router} over the local
 * backend and the remote ones (each behind redaction and error counting). The auth filter is a
 * before-handler after the request id; the caller it finds travels in the internal request. The
 * {@link ModelCatalog} says which model names exist. Every {@link ApiException}, whoever throws it,
 * comes out in the caller's dialect through {@link ErrorResponses}.
 */
public final class Tandem implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tandem.class);
    private static final long IDLE_TIMEOUT_MS = 10 * 60_000;

    private final Javalin app;
    private final LocalModel local;
    private final RemoteBackends remotes;
    private final Operations ops;

    private Tandem(Javalin app, LocalModel local, RemoteBackends remotes, Operations ops) {
        this.app = app;
        this.local = local;
        this.remotes = remotes;
        this.ops = ops;
    }

    public static Tandem start(TandemConfig config) {
        return start(config, Engines::open);
    }

    /** @param opener opens the local engine (tests may pass a configured one; never a mock) */
    public static Tandem start(TandemConfig config, Function<EngineConfig, Engine> opener) {
        ServerSettings server = config.server();

        LocalModel local = new LocalModel(config.engine(), Path.of(server.dataDir()), opener, Tandem::writeDemoCheckpoint);
        LocalBackend localBackend = new LocalBackend(local, server.strictMaxTokens());
        // A lazy holder: an upstream client is built on first use only; under local-only the router
        // drops the holder at once (it keeps only the model names), so nothing remote is ever built.
        RemoteBackends remotes = new RemoteBackends(config.remotes(), null);
        // Operations: keys, limits, ledger, metrics, cache; redaction and error counts around each remote.
        Operations ops = Operations.open(config, () -> local.engine().load(), () -> local.engine().kvStats(),
                remotes::circuitStates);
        // logged once logging is set up as configured (text or JSON, secrets masked)
        log.info("effective configuration (secrets masked):\n{}", ConfigLoader.describeMasked(config));
        Router router = new Router(config.routing(), localBackend, List.of(local.modelId()), () -> local.engine().load(), remotes,
                ops.routerHooks(localBackend));
        // The one backend the edges talk to: gate -> ledger/metrics -> cache -> router.
        Backend dispatcher = ops.guardDispatcher(router);
        ModelCatalog models = new RoutedModels(router, local::cards);

        ServePath edge = new ServePath(dispatcher, models, new Bodies(server.maxBodyBytes()), AuthFilter::callerOf,
                server.pingIntervalMs());
        Javalin app = Javalin.create(cfg -> {
            settings(cfg, server);
            routes(cfg, edge, server.defaultMaxTokens(), ops, new Health(local::readiness, ops::storeReadiness), new Models(models));
        });
        try {
            app.start(server.host(), server.port());
        } catch (JavalinBindException e) {
            app.stop();
            local.close();
            ops.close();
            throw new CannotListen(server, e);
        }
        // A non-streaming generation says nothing until it is done: let it take its time.
        for (var connector : app.jettyServer().server().getConnectors()) {
            if (connector instanceof AbstractConnector c) {
                c.setIdleTimeout(IDLE_TIMEOUT_MS);
            }
        }
        log.info("Tandem listening on http://{}:{} (model '{}')", server.host(), app.port(), local.modelId());
        local.loadInBackground();
        return new Tandem(app, local, remotes, ops);
    }

    /** The HTTP port cannot be had (another process holds it, or the address is not this machine's): one line says which. */
    public static final class CannotListen extends RuntimeException {
        CannotListen(ServerSettings server, JavalinBindException cause) {
            super(message(server, cause), cause);
        }

        private static String message(ServerSettings server, Throwable cause) {
            Throwable root = cause;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
            String hint = why.toLowerCase(java.util.Locale.ROOT).contains("in use")
                    ? "another process (another Tandem?) holds the port: choose another with --port or server.port"
                    : "is " + server.host() + " an address of this machine? (--host or server.host)";
            return "cannot listen on " + server.host() + ":" + server.port() + ": " + why + "; " + hint;
        }
    }

    private static void settings(JavalinConfig cfg, ServerSettings server) {
        cfg.startup.showJavalinBanner = false;
        cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false)); // ctx.json(...) writes the wire's snake_case
        // what Jetty refuses before any route sees it is answered in JSON too, never an HTML page
        cfg.jetty.modifyServer(jetty -> jetty.setErrorHandler(new JettyErrors()));
        cfg.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JettyErrors()));
        cfg.http.maxRequestSize = server.maxBodyBytes();
        QueuedThreadPool threads = new QueuedThreadPool(256, 8, 60_000);
        threads.setName("tandem-http");
        cfg.jetty.threadPool = threads;
    }

    /** The route table: every endpoint and how failures map to responses. */
    private static void routes(JavalinConfig cfg, ServePath edge, int defaultMaxTokens, Operations ops, Health health, Models models) {
        Tokenization tokens = new Tokenization(edge);
        CountTokens countTokens = new CountTokens(edge);
        StoredResponses stored = new StoredResponses(ops.responses(), edge::origin);

        cfg.routes.before(RequestIds.assigner(ops::secretsIn)); // an id that holds a secret is replaced
        cfg.routes.after(RequestIds::release);
        ops.addRoutes(cfg.routes); // auth filter (after the request id), /admin/keys, /v1/usage, /metrics

        cfg.routes.get("/health", health::alive);
        cfg.routes.get("/ready", health::ready);
        cfg.routes.get("/v1/models", models::list);
        cfg.routes.get("/v1/models/{id}", models::get);
        cfg.routes.post("/v1/chat/completions", edge.handler(new ChatCompletions(defaultMaxTokens)));
        cfg.routes.post("/v1/completions", edge.handler(new Completions()));
        cfg.routes.post("/v1/responses", edge.handler(new Responses(defaultMaxTokens, stored)));
        cfg.routes.get("/v1/responses/{id}", stored::get);
        cfg.routes.delete("/v1/responses/{id}", stored::delete);
        cfg.routes.get("/v1/responses/{id}/input_items", stored::inputItems);
        cfg.routes.post("/v1/messages", edge.handler(new Messages()));
        cfg.routes.post("/v1/messages/count_tokens", countTokens::handle);
        cfg.routes.post("/tokenize", tokens::tokenize);
        cfg.routes.post("/detokenize", tokens::detokenize);

        cfg.routes.exception(ApiException.class, ErrorResponses::apiError);
        cfg.routes.exception(HttpResponseException.class, ErrorResponses::httpError);
        cfg.routes.exception(Exception.class, ErrorResponses::unexpected);
        cfg.routes.error(404, ErrorResponses::statusWithoutBody);
    }

    /** The demo checkpoint: the tiny Llama shape with random weights and a 2048-token window. */
    private static void writeDemoCheckpoint(Path dir) {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withMaxPositions(2048));
    }

    public int port() {
        return app.port();
    }

    public LocalModel local() {
        return local;
    }

    public Operations ops() {
        return ops;
    }

    @Override
    public void close() {
        app.stop();
        local.close();
        remotes.close();
        ops.close();
        log.info("Tandem stopped");
        LogSetup.flush();
    }
}
