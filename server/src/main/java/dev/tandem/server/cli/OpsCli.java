package dev.tandem.server.cli;

import dev.tandem.server.config.ConfigException;
import dev.tandem.server.config.ConfigLoader;
import dev.tandem.server.core.Policy;
import dev.tandem.server.ops.gate.AdminApiTimes;
import dev.tandem.server.ops.keys.CreatedKey;
import dev.tandem.server.ops.keys.KeySpec;
import dev.tandem.server.config.TandemConfig;
import dev.tandem.server.ops.StoreObserver;
import dev.tandem.server.ops.keys.KeyStore;
import dev.tandem.server.ops.ledger.LedgerConfig;
import dev.tandem.server.ops.store.StoreConfig;
import dev.tandem.server.ops.store.StoreKind;
import dev.tandem.server.ops.store.Stores;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code tandem keys create|list|revoke} and {@code tandem usage}, working directly on the store the
 * configuration names ({@code store.kind}): the SQLite file (safe while the server runs: WAL mode,
 * short transactions) or the shared PostgreSQL database.
 */
public final class OpsCli {
    static final String USAGE = """
            usage:
              tandem keys create --name NAME [--policy local-only|prefer-local|remote-only] [--models a,b]
                                 [--rpm N] [--tpm N] [--concurrency N] [--budget USD]
              tandem keys list
              tandem keys revoke KEY_ID
              tandem usage [--from 2026-01-01] [--to 2026-02-01]
            options: --db PATH       the SQLite database file
                     --config FILE   take the store from the configuration (store.kind; ledger.database
                                     for sqlite, store.postgres for postgres)
                     default: $TANDEM_CONFIG's store, else $TANDEM_DB, else ./data/tandem.db
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
            String command = String.join(" ", p.words);
            boolean known = command.equals("keys create") || command.equals("keys list") || command.equals("usage")
                    || (command.startsWith("keys revoke ") && p.words.size() == 3);
            if (!known) {
                err.print(USAGE);
                return 2;
            }
            try (Stores stores = stores(p.options, env)) {
                return run(p, stores, out, err);
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (IllegalStateException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static int run(Parsed p, Stores stores, PrintStream out, PrintStream err) {
        KeyStore keys = stores.keys();
        switch (p.words.get(0) + " " + (p.words.size() > 1 ? p.words.get(1) : "")) {
            case "keys create" -> {
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
            case "keys list" -> out.print(CliTables.keys(keys.list()));
            case "keys revoke" -> {
                if (!keys.revoke(p.words.get(2))) {
                    err.println("no key with id " + p.words.get(2));
                    return 1;
                }
                out.println("revoked " + p.words.get(2));
            }
            default -> out.print(CliTables.usage(stores.ledger().totals(AdminApiTimes.parse(p.options.get("from"), "from"),
                    AdminApiTimes.parse(p.options.get("to"), "to"))));
        }
        return 0;
    }

    /**
     * The configuration's store (--config or $TANDEM_CONFIG, over the defaults; $TANDEM_DB and the other
     * variables substituted); --db names a SQLite file instead. Key lookups are not cached here.
     */
    private static Stores stores(Map<String, String> options, Map<String, String> env) {
        String file = options.getOrDefault("config", env.get("TANDEM_CONFIG"));
        TandemConfig config;
        try {
            config = ConfigLoader.load(file == null || file.isBlank() || options.containsKey("db") ? null : Path.of(file), env, Map.of());
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        StoreConfig store = new StoreConfig(config.store().kind(), 0, config.store().postgres());
        LedgerConfig ledger = config.ledger();
        if (options.containsKey("db")) {
            store = new StoreConfig(StoreKind.SQLITE, 0, config.store().postgres());
            ledger = new LedgerConfig(options.get("db"), ledger.synchronous(), ledger.prices(), ledger.pendingRows());
        }
        return Stores.open(store, ledger, StoreObserver.NONE);
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
