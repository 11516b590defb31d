package dev.tandem.server.ops.ledger;

import java.util.Map;

/**
 * The {@code ledger:} section.
 *
 * @param database SQLite file shared with the key store
 * @param synchronous NORMAL (default: survives process kill, WAL) or FULL (also survives power loss)
 * @param prices USD per million tokens by remote model name
 */
public record LedgerConfig(String database, String synchronous, Map<String, PriceTable.Price> prices) {
    public static final LedgerConfig DEFAULTS = new LedgerConfig(null, null, null);

    public LedgerConfig {
        database = database == null ? "data/tandem.db" : database;
        synchronous = synchronous == null ? "NORMAL" : synchronous;
        prices = prices == null ? Map.of() : Map.copyOf(prices);
    }

    public PriceTable priceTable() {
        return new PriceTable(prices);
    }
}
