package dev.tandem.server;

import dev.tandem.server.cli.OpsCli;
import dev.tandem.server.config.ConfigException;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.ops.logging.LogSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code tandem [--config FILE] [--host ADDR] [--port N] [--model DIR]}: starts the server. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    private static final String USAGE = """
            usage: tandem [--config FILE] [--host ADDR] [--port N] [--model CHECKPOINT_DIR]
                   tandem keys create|list|revoke ...  |  tandem usage ...   (tandem keys --help)
              --config FILE   YAML configuration merged over the defaults (env: TANDEM_CONFIG)
              --host ADDR     address to listen on (server.host; default 127.0.0.1, this machine only;
                              0.0.0.0: every interface)
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
        if (Arrays.asList(args).contains("-h") || Arrays.asList(args).contains("--help")) {
            System.out.print(USAGE);
            return;
        }
        TandemConfig config;
        try {
            config = configuration(args, System.getenv());
        } catch (ConfigException e) {
            fail(e.getMessage());
            return;
        }
        if (!config.engine().usesDemoCheckpoint() && !Files.isDirectory(Path.of(config.engine().checkpoint()))) {
            fail("engine.checkpoint: " + config.engine().checkpoint() + " is not a directory (a Hugging Face checkpoint: "
                    + "config.json, tokenizer.json, *.safetensors)");
        }
        Tandem tandem;
        try {
            tandem = Tandem.start(config);
        } catch (Tandem.CannotListen e) {
            // logging is set up by now: the line is JSON under logging.format json, as every other
            log.error("tandem: {}", e.getMessage());
            LogSetup.flush();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(tandem::close, "tandem-shutdown"));
    }

    /**
     * The configuration the flags and the environment ask for: {@code --config FILE} (else
     * {@code TANDEM_CONFIG}) merged over the defaults, then {@code --host}, {@code --port} and
     * {@code --model} over it.
     *
     * @throws ConfigException naming a flag that is unknown or lacks its value, or what is wrong in the file
     */
    static TandemConfig configuration(String[] args, Map<String, String> env) {
        String fromEnv = env.get("TANDEM_CONFIG");
        Path configFile = fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv);
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new ConfigException("missing value after " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--config" -> configFile = Path.of(value);
                case "--host" -> overrides.put("server.host", value);
                case "--port" -> overrides.put("server.port", value);
                case "--model" -> overrides.put("engine.checkpoint", value);
                default -> throw new ConfigException("unknown option " + flag);
            }
        }
        return ConfigLoader.load(configFile, env, overrides);
    }

    private static void fail(String message) {
        System.err.println("tandem: " + message);
        System.err.print(USAGE);
        System.exit(2);
    }
}
