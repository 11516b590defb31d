package dev.tandem.server.ops.ledger;

import dev.tandem.server.ops.OutcomeListener;
import dev.tandem.server.ops.RequestOutcome;

/** Turns each request's outcome into a priced ledger row. Cache hits cost nothing. */
public final class LedgerWriter implements OutcomeListener {
    private final UsageLedger ledger;
    private final PriceTable prices;

    public LedgerWriter(UsageLedger ledger, PriceTable prices) {
        this.ledger = ledger;
        this.prices = prices;
    }

    @Override
    public void onOutcome(RequestOutcome o) {
        double cost = o.cached() ? 0 : prices.cost(o.backend(), o.servedModel(), o.promptTokens(), o.completionTokens());
        ledger.record(UsageRecord.builder(o.time(), o.requestId())
                .withKeyId(o.keyId())
                .withDialect(o.dialect())
                .withModel(o.model())
                .withBackend(o.backend(), o.routeLabel())
                .withTokens(o.promptTokens(), o.completionTokens())
                .withTimes(o.timeToFirstToken() == null ? null : o.timeToFirstToken().toMillis(), o.total().toMillis())
                .withStatus(o.statusLabel())
                .withCostUsd(cost)
                .build());
    }
}
