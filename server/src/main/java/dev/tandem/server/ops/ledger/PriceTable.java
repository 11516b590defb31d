package dev.tandem.server.ops.ledger;

import java.util.Map;

/**
 * Remote prices per model, in USD per million tokens. Unknown models and the local backend cost
 * nothing.
 */
public record PriceTable(Map<String, Price> prices) {

    public record Price(double inputPerMillion, double outputPerMillion) {
        public Price {
            if (inputPerMillion < 0 || outputPerMillion < 0) {
                throw new IllegalArgumentException("prices must be >= 0");
            }
        }
    }

    public PriceTable {
        prices = prices == null ? Map.of() : Map.copyOf(prices);
    }

    public double cost(String backend, String model, int inputTokens, int outputTokens) {
        if ("local".equals(backend)) {
            return 0;
        }
        Price p = prices.get(model);
        if (p == null) {
            return 0;
        }
        return (inputTokens * p.inputPerMillion() + outputTokens * p.outputPerMillion()) / 1_000_000.0;
    }
}
