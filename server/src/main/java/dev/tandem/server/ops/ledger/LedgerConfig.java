package dev.tandem.server.ops.ledger;

import dev.tandem.server.core.Assert;
import java.util.Map;

/**
 * The {@code ledger:} section (defaults in {@code tandem-defaults.yaml}).
 *
 * @param database SQLite file shared with the key store
 * @param synchronous NORMAL (survives process kill, WAL) or FULL (also survives power loss)
 * @param prices USD per million tokens by remote model name
 */
public record LedgerConfig(String database, String synchronous, Map<String, PriceTable.Price> prices) {

    public LedgerConfig {
        Assert.isTrue(database != null && !database.isBlank(), "ledger.database must be set");
        Assert.notNull(synchronous, "ledger.synchronous");
        prices = Map.copyOf(Assert.notNull(prices, "ledger.prices"));
    }

    public PriceTable priceTable() {
        return new PriceTable(prices);
    }
}
