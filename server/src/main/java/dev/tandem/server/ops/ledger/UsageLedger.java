package dev.tandem.server.ops.ledger;

import java.time.Instant;
import java.util.List;

/** The usage and cost ledger: SQLite (one machine) or PostgreSQL (replicas). */
public interface UsageLedger extends AutoCloseable {

    /**
     * Commits the row before returning, once whatever number of times it is written (its id); in a
     * shared store that is away, {@link RetryingUsageLedger} keeps it and writes it once the store answers.
     */
    void record(UsageRecord row);

    /** Totals by day, key, model and backend for rows with {@code from <= time < to} (nulls: open). */
    List<UsageTotal> totals(Instant from, Instant to);

    /** Everything the key has spent so far, in USD. */
    double spentUsd(String keyId);

    /** The rows themselves with {@code from <= time < to} (nulls: open), oldest first, at most {@code limit}: an export. */
    List<UsageRecord> rows(Instant from, Instant to, int limit);

    @Override
    void close();
}
