package dev.tandem.server.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Opens the embedded SQLite database shared by the key store and the ledger.
 *
 * <p>WAL mode: readers never block the writer, and a crash mid-write leaves the file intact. The
 * default {@code synchronous=NORMAL} commits by appending to the WAL without an fsync: a committed
 * row survives the process being killed (the bytes are in the OS page cache), and only an OS crash or
 * power loss can drop the last few commits (never corrupt). {@code FULL} fsyncs every commit for
 * power-loss durability at the cost of one fsync per request.
 */
public final class Sqlite {
    private Sqlite() {}

    public static Connection open(Path file, String synchronous) {
        String mode = synchronous == null ? "NORMAL" : synchronous.toUpperCase(Locale.ROOT);
        if (!mode.equals("NORMAL") && !mode.equals("FULL")) {
            throw new IllegalArgumentException("synchronous must be NORMAL or FULL, was " + synchronous);
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=" + mode);
                s.execute("PRAGMA busy_timeout=5000");
            }
            return c;
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot open database " + file + ": " + e.getMessage(), e);
        }
    }
}
