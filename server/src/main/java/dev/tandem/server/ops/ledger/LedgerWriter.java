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
        ledger.record(new UsageRecord(
                o.time(),
                o.requestId(),
                o.keyId(),
                o.dialect(),
                o.model(),
                o.backend(),
                o.routeLabel(),
                o.promptTokens(),
                o.completionTokens(),
                o.timeToFirstToken() == null ? null : o.timeToFirstToken().toMillis(),
                o.total().toMillis(),
                o.statusLabel(),
                cost));
    }
}
