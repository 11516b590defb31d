package dev.tandem.server.ops.ledger;

import java.nio.file.Path;

class SqliteUsageLedgerTest extends UsageLedgerContract {
    @Override
    UsageLedger open(Path dir) {
        return new SqliteUsageLedger(dir.resolve("t.db"));
    }
}
