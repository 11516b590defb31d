package dev.tandem.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.distribution.Shell.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's launcher, bin/tandem, over a lib/ staged from the server's runtime class path (the
 * same jars the assembly copies), with a {@code mvn} on the PATH that fails: the operator commands run
 * from the distribution alone.
 */
class LauncherTest {
    @TempDir
    static Path tmp;
    static Path launcher;
    static Map<String, String> env;

    @BeforeAll
    static void stageADistribution() throws Exception {
        // under target/ (links to the local repository's jars, which a temporary directory's clean-up warns about)
        Path staging = Path.of("target/launcher-test").toAbsolutePath();
        if (Files.exists(staging)) {
            try (Stream<Path> old = Files.walk(staging)) { // links are removed, not followed
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Path dist = staging.resolve("tandem");
        Path lib = Files.createDirectories(dist.resolve("lib"));
        for (String entry : Files.readString(Path.of("target/runtime-classpath.txt")).trim().split(":")) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) { // a module of this build not yet packaged (mvn test): jar its classes
                jar(p, lib.resolve(p.getParent().getParent().getFileName() + ".jar"));
            } else {
                Files.createSymbolicLink(lib.resolve(p.getFileName()), p);
            }
        }
        launcher = Files.copy(Path.of("src/main/bin/tandem"), Files.createDirectories(dist.resolve("bin")).resolve("tandem"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Shell.script(tmp.resolve("path/mvn"), "echo 'mvn must not run' >&2", "exit 99");
        env = Map.of("PATH", Shell.pathWith(tmp.resolve("path")), "JAVA_HOME", System.getProperty("java.home"),
                "JAVA_OPTS", "-Xmx256m", "TANDEM_CONFIG", "");
    }

    private static void jar(Path classes, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString()));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    @Test
    void keysHelpPrintsTheOperatorCommandsWithoutMaven() throws Exception {
        Result r = Shell.run(tmp, env, launcher.toString(), "keys", "--help");
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains("tandem keys create --name NAME").contains("tandem usage");
        assertThat(r.err()).doesNotContain("mvn must not run");
    }

    @Test
    void keysCreateAndListWorkOnTheDatabaseFile() throws Exception {
        String db = tmp.resolve("keys.db").toString();
        Result created = Shell.run(tmp, env, launcher.toString(), "keys", "create", "--name", "ci", "--db", db);
        assertThat(created.status()).as(created.toString()).isZero();
        assertThat(created.out()).contains("created key_").containsPattern("key: \\S+");
        Result list = Shell.run(tmp, env, launcher.toString(), "keys", "list", "--db", db);
        assertThat(list.out()).contains("ci");
        assertThat(Shell.run(tmp, env, launcher.toString(), "usage", "--db", db).status()).isZero();
    }

    @Test
    void theServersHelpComesFromTheSameLauncher() throws Exception {
        Result r = Shell.run(tmp, env, launcher.toString(), "--help");
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains("usage: tandem [--config FILE] [--host ADDR] [--port N] [--model CHECKPOINT_DIR]");
    }

    @Test
    void aLinkToTheLauncherFindsItsLibraries() throws Exception {
        Path link = Files.createDirectories(launcher.getParent().getParent().resolveSibling("elsewhere")).resolve("tandem");
        Files.createSymbolicLink(link, launcher);
        Result r = Shell.run(tmp, env, link.toString(), "keys", "--help");
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains("tandem keys create");
    }
}
