package dev.tandem.server.local;

import dev.tandem.models.ContextWindow;
import dev.tandem.models.Engine;
import dev.tandem.models.EngineConfig;
import dev.tandem.models.grammar.ConstraintCompiler;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.ModelCard;
import dev.tandem.server.core.Readiness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local engine's lifecycle: the checkpoint (generating the demo one on first start), loading on
 * a background thread so that the HTTP server answers {@code /health} at once, and closing.
 */
public final class LocalModel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalModel.class);
    /** Directory (and so model id) of the generated demo checkpoint. */
    public static final String DEMO_NAME = "tandem-demo";

    private final EngineSettings settings;
    private final Path dataDir;
    private final Function<EngineConfig, Engine> opener;
    private final Consumer<Path> demoGenerator;
    private final CompletableFuture<Engine> engine = new CompletableFuture<>();
    private volatile ContextWindow window;
    private volatile LocalConstraints constraints;
    private final long createdEpochSeconds = System.currentTimeMillis() / 1000;
    private volatile boolean closed;

    /**
     * @param opener opens an engine (production: {@code Engines::open})
     * @param demoGenerator writes a random demo checkpoint into an empty directory
     */
    public LocalModel(EngineSettings settings, Path dataDir, Function<EngineConfig, Engine> opener, Consumer<Path> demoGenerator) {
        this.settings = settings;
        this.dataDir = dataDir;
        this.opener = opener;
        this.demoGenerator = demoGenerator;
    }

    public void loadInBackground() {
        Thread loader = new Thread(this::load, "tandem-engine-loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void load() {
        try {
            Path checkpoint = settings.usesDemoCheckpoint() ? demoCheckpoint() : Path.of(settings.checkpoint());
            log.info("loading the local model from {}", checkpoint.toAbsolutePath());
            long t0 = System.nanoTime();
            Engine opened = opener.apply(settings.toEngineConfig(checkpoint));
            if (closed) {
                opened.close();
                return;
            }
            // the vocabulary's trie, which every constrained answer walks, is built once, here, not by a request
            constraints = new LocalConstraints(ConstraintCompiler.of(opened.tokenizer()));
            log.info("local model ready in {} ms: {}", (System.nanoTime() - t0) / 1_000_000, opened.model());
            engine.complete(opened);
        } catch (Throwable e) {
            log.error("the local model failed to load", e);
            engine.completeExceptionally(e);
        }
    }

    /** The demo checkpoint under the data directory, generated (random weights) when missing. */
    private Path demoCheckpoint() throws IOException {
        Path dir = dataDir.resolve(DEMO_NAME);
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            return dir;
        }
        log.warn("no checkpoint configured: generating the demo checkpoint (random weights, meaningless output) in {}", dir);
        Files.createDirectories(dataDir);
        Path tmp = Files.createTempDirectory(dataDir, DEMO_NAME + ".tmp");
        demoGenerator.accept(tmp);
        deleteRecursively(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The engine, or a retriable refusal while it loads (the router may serve elsewhere meanwhile). */
    public Engine engine() {
        if (!engine.isDone()) {
            throw new ApiException(ErrorKind.OVERLOADED, "The local model is still loading; retry shortly.", null, Duration.ofSeconds(5), null);
        }
        if (engine.isCompletedExceptionally()) {
            throw new ApiException(ErrorKind.INTERNAL, "The local model failed to load; see the server log.");
        }
        return engine.join();
    }

    /** The loaded engine's context window (fixed once it is loaded). */
    public ContextWindow window() {
        ContextWindow w = window;
        if (w == null) {
            w = ContextWindow.of(engine());
            window = w;
        }
        return w;
    }

    /** The constraints of the loaded engine's vocabulary (tool calls, structured output). */
    LocalConstraints constraints() {
        engine();
        return constraints;
    }

    /** Blocks until the engine is loaded, for an embedder that must not start before it is. */
    public Engine awaitReady(Duration timeout) throws InterruptedException, TimeoutException, ExecutionException {
        return engine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Readiness readiness() {
        if (!engine.isDone()) {
            return new Readiness(false, "loading", "the local model is loading");
        }
        if (engine.isCompletedExceptionally()) {
            return new Readiness(false, "failed", "the local model failed to load; see the server log");
        }
        return new Readiness(true, "ready", engine.join().model().id());
    }

    /** The name clients use; known before the engine is loaded. */
    public String modelId() {
        if (engine.isDone() && !engine.isCompletedExceptionally()) {
            return engine.join().model().id();
        }
        if (!settings.modelId().isEmpty()) {
            return settings.modelId();
        }
        return settings.usesDemoCheckpoint() ? DEMO_NAME : Path.of(settings.checkpoint()).toAbsolutePath().normalize().getFileName().toString();
    }

    /** Requests the engine holds at most, running and queued (engine.maxRunning + engine.maxWaiting); known before it is loaded. */
    public int maxInFlight() {
        return settings.maxRunning() + settings.maxWaiting();
    }

    public List<ModelCard> cards() {
        Integer context = engine.isDone() && !engine.isCompletedExceptionally() ? engine.join().model().contextLength() : null;
        return List.of(new ModelCard(modelId(), "tandem", createdEpochSeconds, context));
    }

    @Override
    public void close() {
        closed = true;
        if (engine.isDone() && !engine.isCompletedExceptionally()) {
            engine.join().close();
        }
    }
}
