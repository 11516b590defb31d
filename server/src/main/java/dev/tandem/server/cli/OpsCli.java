package dev.tandem.server.cli;

import dev.tandem.server.config.ConfigException;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.core.Policy;
import dev.tandem.server.ops.gate.AdminApiTimes;
import dev.tandem.server.ops.keys.CreatedKey;
import dev.tandem.server.ops.keys.KeySpec;
import dev.tandem.server.ops.keys.SqliteKeyStore;
import dev.tandem.server.ops.ledger.SqliteUsageLedger;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tandem keys create|list|revoke} and {@code tandem usage}, working directly on the SQLite
 * file (safe while the server runs: WAL mode, short transactions).
 */
public final class OpsCli {
    static final String USAGE = """
            usage:
              tandem keys create --name NAME [--policy local-only|prefer-local|remote-only] [--models a,b]
                                 [--rpm N] [--tpm N] [--concurrency N] [--budget USD]
              tandem keys list
              tandem keys revoke KEY_ID
              tandem usage [--from 2026-01-01] [--to 2026-02-01]
            options: --db PATH       the database file
                     --config FILE   take the database file from the configuration (ledger.database)
                     default: $TANDEM_CONFIG's ledger.database, else $TANDEM_DB, else ./data/tandem.db
            """;

    private OpsCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.getenv()));
    }

    /** @return the exit status */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        // help wherever it is asked for (keys --help, keys create --help, usage -h), before anything is opened
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        try {
            Parsed p = Parsed.of(args);
            Path db = database(p.options, env);
            String command = String.join(" ", p.words.subList(0, Math.min(2, p.words.size())));
            if (command.equals("keys create")) {
                try (SqliteKeyStore keys = new SqliteKeyStore(db, "NORMAL", Clock.systemUTC())) {
                    String name = p.options.get("name");
                    if (name == null) {
                        throw new IllegalArgumentException("--name is required");
                    }
                    CreatedKey k = keys.create(KeySpec.builder(name)
                            .withPolicy(p.options.containsKey("policy") ? Policy.parse(p.options.get("policy")) : null)
                            .withAllowedModels(p.options.containsKey("models")
                                    ? Arrays.asList(p.options.get("models").split(",")) : List.of())
                            .withRpm(integer(p, "rpm"))
                            .withTpm(integer(p, "tpm"))
                            .withMaxConcurrent(integer(p, "concurrency"))
                            .withBudgetUsd(p.options.containsKey("budget") ? Double.valueOf(p.options.get("budget")) : null)
                            .build());
                    out.println("created " + k.key().id() + " (" + k.key().name() + ")");
                    out.println("key: " + k.secret());
                    out.println("Store it now: it is shown only once.");
                }
            } else if (command.equals("keys list")) {
                try (SqliteKeyStore keys = new SqliteKeyStore(db, "NORMAL", Clock.systemUTC())) {
                    out.print(CliTables.keys(keys.list()));
                }
            } else if (command.equals("keys revoke") && p.words.size() == 3) {
                try (SqliteKeyStore keys = new SqliteKeyStore(db, "NORMAL", Clock.systemUTC())) {
                    if (!keys.revoke(p.words.get(2))) {
                        err.println("no key with id " + p.words.get(2));
                        return 1;
                    }
                    out.println("revoked " + p.words.get(2));
                }
            } else if (p.words.size() == 1 && p.words.get(0).equals("usage")) {
                try (SqliteUsageLedger ledger = new SqliteUsageLedger(db)) {
                    out.print(CliTables.usage(ledger.totals(AdminApiTimes.parse(p.options.get("from"), "from"),
                            AdminApiTimes.parse(p.options.get("to"), "to"))));
                }
            } else {
                err.print(USAGE);
                return 2;
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
    }

    /** --db, else the configuration's ledger.database (--config or $TANDEM_CONFIG, over the defaults). */
    private static Path database(Map<String, String> options, Map<String, String> env) {
        if (options.containsKey("db")) {
            return Path.of(options.get("db"));
        }
        String file = options.getOrDefault("config", env.get("TANDEM_CONFIG"));
        try {
            return Path.of(ConfigLoader.load(file == null || file.isBlank() ? null : Path.of(file), env, Map.of())
                    .ledger().database());
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    private static Integer integer(Parsed p, String name) {
        String v = p.options.get(name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, was " + v);
        }
    }

    /** Words and {@code --name value} options. */
    private record Parsed(List<String> words, Map<String, String> options) {
        static Parsed of(String[] args) {
            List<String> words = new ArrayList<>();
            Map<String, String> options = new HashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].startsWith("--")) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(args[i] + " needs a value");
                    }
                    options.put(args[i].substring(2), args[++i]);
                } else {
                    words.add(args[i]);
                }
            }
            return new Parsed(words, options);
        }
    }
}
