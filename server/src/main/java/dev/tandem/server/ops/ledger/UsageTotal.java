package dev.tandem.server.ops.ledger;

import java.time.LocalDate;

/** Usage summed over one (day, key, model, backend) group; days in UTC. */
public record UsageTotal(
        LocalDate day,
        String keyId,
        String model,
        String backend,
        long requests,
        long promptTokens,
        long completionTokens,
        double costUsd) {}
