package dev.tandem.server.ops.ledger;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Run in a child JVM by {@link LedgerKillTest}: writes rows from two threads as fast as it can and
 * prints "committed N" after each commit, until killed.
 */
public final class LedgerChildProcess {
    public static void main(String[] args) throws Exception {
        SqliteUsageLedger ledger = new SqliteUsageLedger(Path.of(args[0]));
        Runnable writer = () -> {
            String thread = Thread.currentThread().getName();
            for (int i = 0; ; i++) {
                String id = thread + "-" + i;
                ledger.record(UsageRecord.builder(Instant.now(), id)
                        .withKeyId("key_child")
                        .withDialect("openai")
                        .withModel("m")
                        .withBackend("local", "primary")
                        .withTokens(i, i)
                        .withTimes(1L, 2L)
                        .withStatus("ok")
                        .withCostUsd(0.0)
                        .build());
                synchronized (System.out) {
                    System.out.println("committed " + id);
                    System.out.flush();
                }
            }
        };
        Thread a = new Thread(writer, "a");
        Thread b = new Thread(writer, "b");
        a.start();
        b.start();
        a.join();
    }
}
