package dev.tandem.server;

import dev.tandem.server.cli.OpsCli;
import dev.tandem.server.config.ConfigException;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.TandemConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code tandem [--config FILE] [--port N] [--model DIR]}: starts the server. */
public final class Main {
    private static final String USAGE = """
            usage: tandem [--config FILE] [--port N] [--model CHECKPOINT_DIR]
                   tandem keys create|list|revoke ...  |  tandem usage ...   (tandem keys --help)
              --config FILE   YAML configuration merged over the defaults (env: TANDEM_CONFIG)
              --port N        HTTP port (server.port)
              --model DIR     Hugging Face checkpoint directory (engine.checkpoint); none: the demo model
            """;

    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private Main() {}

    public static void main(String[] args) {
        // With 2 CPUs the JDK sizes the common pool to 1, and CompletableFuture then runs every
        // default-executor async stage on a new thread. java.net.http.HttpClient completes each
        // sendAsync there: a thread started and ended per remote call. Must precede any use of the pool.
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null && Runtime.getRuntime().availableProcessors() <= 2) {
            System.setProperty(COMMON_POOL_PARALLELISM, "2");
        }
        // operator commands work on the database file, without starting the server
        if (args.length > 0 && (args[0].equals("keys") || args[0].equals("usage"))) {
            System.exit(OpsCli.run(args, System.out, System.err, System.getenv()));
        }
        Path configFile = System.getenv("TANDEM_CONFIG") == null || System.getenv("TANDEM_CONFIG").isBlank()
                ? null : Path.of(System.getenv("TANDEM_CONFIG"));
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                System.out.print(USAGE);
                return;
            }
            if (i + 1 >= args.length) {
                fail("missing value after " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--config" -> configFile = Path.of(value);
                case "--port" -> overrides.put("server.port", value);
                case "--model" -> overrides.put("engine.checkpoint", value);
                default -> fail("unknown option " + flag);
            }
        }
        TandemConfig config;
        try {
            config = ConfigLoader.load(configFile, System.getenv(), overrides);
        } catch (ConfigException e) {
            fail(e.getMessage());
            return;
        }
        if (!config.engine().usesDemoCheckpoint() && !Files.isDirectory(Path.of(config.engine().checkpoint()))) {
            fail("engine.checkpoint: " + config.engine().checkpoint() + " is not a directory (a Hugging Face checkpoint: "
                    + "config.json, tokenizer.json, *.safetensors)");
        }
        Tandem tandem = Tandem.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(tandem::close, "tandem-shutdown"));
    }

    private static void fail(String message) {
        System.err.println("tandem: " + message);
        System.err.print(USAGE);
        System.exit(2);
    }
}
