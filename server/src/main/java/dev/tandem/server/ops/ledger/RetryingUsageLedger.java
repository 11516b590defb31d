package dev.tandem.server.ops.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.ops.StoreUnavailableException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ledger in a shared store that may go away, made so that no row is lost: a row whose write fails
 * because the store is away (typically after the answer was sent) waits in a bounded queue, written
 * again with backoff until the store answers (each new row waiting behind them tries at once: its
 * request was admitted, so the store is likely back). Rows that do not fit the queue, and those still waiting
 * when the replica stops cleanly, go to a local file ({@code pendingFile}, one JSON row a line), which
 * the next start writes to the store before serving. Each row has an id made before its first write
 * and the store inserts a row id once, so a write repeated after its answer was lost stores nothing
 * twice. A {@code kill -9} loses only the rows waiting in memory at that moment.
 *
 * <p>While rows wait, the store's spend lags by their cost; the limits fail closed meanwhile (they
 * need the same store), so no request is admitted on a stale budget.
 */
public final class RetryingUsageLedger implements UsageLedger {
    private static final Logger log = LoggerFactory.getLogger(RetryingUsageLedger.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final UsageLedger store;
    private final Path pendingFile;
    private final int capacity;
    /** Rows waiting for the store, oldest first; guarded by its own lock. */
    private final Deque<UsageRecord> waiting = new ArrayDeque<>();
    private final Thread retrier;
    private volatile boolean closed;

    /**
     * Writes the rows {@code pendingFile} holds (left by a previous run) before it returns.
     *
     * @param capacity rows kept in memory at most; more go to {@code pendingFile}
     */
    public RetryingUsageLedger(UsageLedger store, Path pendingFile, int capacity) {
        this.store = store;
        this.pendingFile = pendingFile;
        this.capacity = capacity;
        replayPendingFile();
        this.retrier = new Thread(this::retryWaiting, "tandem-ledger-retry");
        retrier.setDaemon(true);
        retrier.start();
    }

    @Override
    public void record(UsageRecord row) {
        synchronized (waiting) {
            if (!waiting.isEmpty()) {
                // behind the rows already waiting, without keeping this request's thread on a store that
                // may still be away; the new row wakes the retrier (its request was just admitted, so
                // the store is likely back)
                hold(row);
                return;
            }
        }
        try {
            store.record(row);
        } catch (StoreUnavailableException e) {
            log.warn("ledger row {} of request {} waits for the store: {}", row.id(), row.requestId(), e.getMessage());
            synchronized (waiting) {
                hold(row);
            }
        }
    }

    /** Rows waiting in memory now (for tests and an operator's eye). */
    public int waiting() {
        synchronized (waiting) {
            return waiting.size();
        }
    }

    /** Queues {@code row}, or writes it to the pending file when the queue is full; holds the lock. */
    private void hold(UsageRecord row) {
        if (waiting.size() < capacity) {
            waiting.addLast(row);
            waiting.notifyAll();
        } else {
            spill(List.of(row));
        }
    }

    /** Writes the waiting rows, oldest first, backing off while the store is away. */
    private void retryWaiting() {
        long backoffMs = FIRST_BACKOFF.toMillis();
        while (!closed) {
            UsageRecord head;
            synchronized (waiting) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        waiting.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                head = waiting.peekFirst();
            }
            if (head == null) {
                return;
            }
            try {
                store.record(head);
                synchronized (waiting) {
                    waiting.remove(head);
                }
                backoffMs = FIRST_BACKOFF.toMillis();
            } catch (StoreUnavailableException e) {
                synchronized (waiting) {
                    int before = waiting.size();
                    try {
                        waiting.wait(backoffMs); // a new row wakes it sooner
                    } catch (InterruptedException stop) {
                        return;
                    }
                    backoffMs = waiting.size() > before ? FIRST_BACKOFF.toMillis() : Math.min(MAX_BACKOFF.toMillis(), backoffMs * 2);
                }
            } catch (RuntimeException e) {
                // not the store being away: a row the store refuses would block every row behind it
                log.error("ledger row {} of request {} cannot be written, kept in {}: {}", head.id(), head.requestId(), pendingFile,
                        e.toString());
                synchronized (waiting) {
                    waiting.remove(head);
                    spill(List.of(head));
                }
            }
        }
    }

    /** Appends rows to the pending file, flushed to the disk before it returns. */
    private void spill(List<UsageRecord> rows) {
        try {
            Files.createDirectories(pendingFile.toAbsolutePath().getParent());
            try (BufferedWriter w = Files.newBufferedWriter(pendingFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC)) {
                for (UsageRecord row : rows) {
                    w.write(toJson(row));
                    w.newLine();
                }
            }
            log.warn("{} ledger row(s) kept in {} until the next start", rows.size(), pendingFile);
        } catch (IOException e) {
            log.error("LOST {} ledger row(s): cannot write {}: {}", rows.size(), pendingFile, e.toString());
        }
    }

    /**
     * Writes the rows a previous run left in the pending file. The file is renamed first, so that rows
     * spilled meanwhile start a new one; it is deleted once each of its rows is in the store or waiting.
     */
    private void replayPendingFile() {
        if (!Files.exists(pendingFile)) {
            return;
        }
        Path replaying = pendingFile.resolveSibling(pendingFile.getFileName() + ".replaying");
        List<UsageRecord> rows = new ArrayList<>();
        try {
            Files.move(pendingFile, replaying, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String line : Files.readAllLines(replaying, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    rows.add(fromJson(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the pending ledger rows in " + pendingFile, e);
        }
        for (UsageRecord row : rows) {
            record(row);
        }
        try {
            Files.delete(replaying);
        } catch (IOException e) {
            log.warn("cannot delete {} (its rows are written; a second replay stores none twice): {}", replaying, e.toString());
        }
        log.info("{} pending ledger row(s) from {} written or queued", rows.size(), pendingFile);
    }

    static String toJson(UsageRecord r) {
        ObjectNode o = JSON.createObjectNode()
                .put("id", r.id())
                .put("timeMs", r.time().toEpochMilli())
                .put("requestId", r.requestId())
                .put("keyId", r.keyId())
                .put("dialect", r.dialect())
                .put("model", r.model())
                .put("backend", r.backend())
                .put("route", r.route())
                .put("promptTokens", r.promptTokens())
                .put("completionTokens", r.completionTokens())
                .put("ttftMs", r.timeToFirstTokenMs())
                .put("totalMs", r.totalMs())
                .put("status", r.status())
                .put("costUsd", r.costUsd());
        return o.toString();
    }

    static UsageRecord fromJson(String line) throws IOException {
        JsonNode o = JSON.readTree(line);
        return UsageRecord.builder(Instant.ofEpochMilli(o.get("timeMs").asLong()), o.get("requestId").asText())
                .withId(o.get("id").asText())
                .withKeyId(o.get("keyId").asText())
                .withDialect(o.get("dialect").asText())
                .withModel(o.get("model").asText())
                .withBackend(o.get("backend").asText(), o.get("route").asText())
                .withTokens(o.get("promptTokens").asInt(), o.get("completionTokens").asInt())
                .withTimes(o.get("ttftMs").isNull() ? null : o.get("ttftMs").asLong(), o.get("totalMs").asLong())
                .withStatus(o.get("status").asText())
                .withCostUsd(o.get("costUsd").asDouble())
                .build();
    }

    @Override
    public List<UsageTotal> totals(Instant from, Instant to) {
        return store.totals(from, to);
    }

    @Override
    public double spentUsd(String keyId) {
        return store.spentUsd(keyId);
    }

    @Override
    public List<UsageRecord> rows(Instant from, Instant to, int limit) {
        return store.rows(from, to, limit);
    }

    /** Stops retrying; the rows still waiting go to the pending file, for the next start. */
    @Override
    public void close() {
        closed = true;
        retrier.interrupt();
        try {
            retrier.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (waiting) {
            if (!waiting.isEmpty()) {
                spill(List.copyOf(waiting));
                waiting.clear();
            }
        }
        store.close();
    }
}
