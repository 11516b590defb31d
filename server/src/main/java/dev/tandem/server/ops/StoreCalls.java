package dev.tandem.server.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Every call to the shared store goes through here: timed and counted for the metrics, and its
 * failures sorted once. The store being away (no connection within the pool's timeout, a connection
 * lost, the server shutting down or out of resources) becomes {@link StoreUnavailableException}: a
 * 503, fail closed. Any other SQL failure is a bug, an {@link IllegalStateException}.
 */
public final class StoreCalls {
    private final DataSource db;
    private final StoreObserver observer;

    /** One unit of work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    public StoreCalls(DataSource db, StoreObserver observer) {
        this.db = db;
        this.observer = observer;
    }

    public DataSource dataSource() {
        return db;
    }

    /** {@code work} on a pooled connection in autocommit mode: each statement commits on its own. */
    public <T> T call(String operation, Work<T> work) {
        return timed(operation, () -> {
            try (Connection c = db.getConnection()) {
                return work.run(c);
            } catch (SQLException e) {
                throw failure(operation, e);
            }
        });
    }

    /** {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(String operation, Work<T> work) {
        return call(operation, c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    /** Times {@code work} and sorts its failure. */
    private <T> T timed(String operation, Supplier<T> work) {
        long t0 = System.nanoTime();
        boolean failed = true;
        try {
            T result = work.get();
            failed = false;
            return result;
        } catch (StoreUnavailableException | IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failure(operation, e);
        } finally {
            observer.observe(operation, System.nanoTime() - t0, failed);
        }
    }

    /** The failure as the gate reports it: unavailable (503) when the store is away, else a bug. */
    public static RuntimeException failure(String operation, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && isAway(sql)) {
                return new StoreUnavailableException(operation, e);
            }
        }
        return new IllegalStateException("store " + operation + " failed: " + e.getMessage(), e);
    }

    /**
     * No connection in time (the pool's timeout), connection exceptions (class 08), operator
     * intervention such as a shutdown (57P), insufficient resources (53).
     */
    static boolean isAway(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLTransientConnectionException
                || (state != null && (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")));
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it, and the transaction dies with it
        }
    }
}
