package dev.tandem.server.ops.store;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where keys, the ledger and the limits live. */
public enum StoreKind {
    /** One machine: keys and the ledger in a SQLite file ({@code ledger.database}), limits in memory. */
    SQLITE,
    /** Several replicas: keys, the ledger, budgets and limits in one PostgreSQL database. */
    POSTGRES;

    @JsonCreator
    public static StoreKind parse(String name) {
        for (StoreKind k : values()) {
            if (k.wireName().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("store.kind must be sqlite or postgres, was " + name);
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
