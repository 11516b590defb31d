package dev.tandem.server.ops.responses;

import dev.tandem.server.core.ResponseStore;
import java.time.Clock;

class SqliteResponseStoreTest extends ResponseStoreContract {
    @Override
    ResponseStore open(ResponsesConfig config, Clock clock) {
        return new SqliteResponseStore(dir.resolve("tandem.db"), "NORMAL", config, clock);
    }

    @Override
    int size(ResponseStore store) {
        return ((SqliteResponseStore) store).size();
    }
}
