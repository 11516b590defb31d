package dev.tandem.server.ops.ledger;

import dev.tandem.server.core.Assert;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code ledger:} section (defaults in {@code tandem-defaults.yaml}).
 *
 * @param database SQLite file shared with the key store
 * @param synchronous NORMAL (survives process kill, WAL) or FULL (also survives power loss)
 * @param prices USD per million tokens by remote model name
 * @param pendingRows with {@code store.kind: postgres}, rows kept in memory at most while the store is
 *     away (written again once it answers); more go to {@link #pendingFile}
 */
public record LedgerConfig(String database, String synchronous, Map<String, PriceTable.Price> prices, int pendingRows) {

    public LedgerConfig {
        Assert.isTrue(database != null && !database.isBlank(), "ledger.database must be set");
        Assert.notNull(synchronous, "ledger.synchronous");
        prices = Map.copyOf(Assert.notNull(prices, "ledger.prices"));
        Assert.isTrue(pendingRows >= 1, "ledger.pendingRows must be >= 1");
    }

    /**
     * Where rows that could not reach the shared store wait across a restart: beside {@link #database},
     * so each replica (each with its own database file) has its own.
     */
    public Path pendingFile() {
        return Path.of(database + ".pending-ledger.jsonl");
    }

    public PriceTable priceTable() {
        return new PriceTable(prices);
    }
}
