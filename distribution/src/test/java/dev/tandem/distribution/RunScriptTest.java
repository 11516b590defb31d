package dev.tandem.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.distribution.Shell.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/run.sh in a copy of the repository's shape, with a fake {@code mvn} on the PATH that speaks
 * Maven's batch output (escape codes included) and lays out a distribution whose launcher echoes its
 * arguments: what the script builds, when, what it shows and what it starts.
 */
class RunScriptTest {
    @TempDir
    Path tmp;
    Path repo;
    Path mvnCalls;
    Path source;

    @BeforeEach
    void aRepositoryWithAFakeMaven() throws Exception {
        repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve("scripts"));
        Files.copy(Shell.repositoryRoot().resolve("scripts/run.sh"), repo.resolve("scripts/run.sh"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        Files.createDirectories(repo.resolve("server/src/main/java"));
        Files.writeString(repo.resolve("server/pom.xml"), "<project/>");
        source = repo.resolve("server/src/main/java/Main.java");
        Files.writeString(source, "class Main {}");
        // the sources were checked out an hour ago
        for (Path p : List.of(repo.resolve("pom.xml"), repo.resolve("server/pom.xml"), source, source.getParent(),
                repo.resolve("server/src/main"), repo.resolve("server/src"))) {
            Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        }
        mvnCalls = tmp.resolve("mvn-calls");
        Shell.script(tmp.resolve("bin/mvn"),
                "echo \"$*\" >> '" + mvnCalls + "'",
                "printf '\\033[0m\\033[0m[INFO] Scanning for projects...\\n'",
                "echo '[INFO] Downloading from central: https://repo.example/org/x/x/1/x-1.pom'",
                "echo '[INFO] Downloaded from central: https://repo.example/org/x/x/1/x-1.pom (2.1 kB at 10 kB/s)'",
                "echo '[INFO] Downloading from central: https://repo.example/ai/djl/api/0.35.1/api-0.35.1.jar'",
                "echo '[INFO] Downloaded from central: https://repo.example/ai/djl/api/0.35.1/api-0.35.1.jar (1.0 MB at 2.3 MB/s)'",
                "echo '[INFO] Building Tandem server: HTTP dialects 0.1.0-SNAPSHOT                [2/3]'",
                "echo '[INFO] --- maven-compiler-plugin:3.14.0:compile (default-compile) @ tandem-server ---'",
                "if [[ -n ${FAKE_MVN_FAIL:-} ]]; then",
                "  echo \"[ERROR] /repo/server/src/main/java/Main.java:[12,5] ';' expected\"",
                "  printf '\\033[1m[INFO] BUILD FAILURE\\033[m\\n'; exit 1",
                "fi",
                "mkdir -p distribution/target/tandem/bin",
                "printf '#!/usr/bin/env bash\\necho \"launched $*\"\\n' > distribution/target/tandem/bin/tandem",
                "chmod +x distribution/target/tandem/bin/tandem",
                "printf '\\033[1m[INFO] BUILD SUCCESS\\033[m\\n'",
                "echo '[INFO] Total time:  1.234 s'");
    }

    Result runSh(String... args) throws Exception {
        return runSh(Map.of(), args);
    }

    Result runSh(Map<String, String> env, String... args) throws Exception {
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = "scripts/run.sh";
        System.arraycopy(args, 0, command, 2, args.length);
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("PATH", Shell.pathWith(tmp.resolve("bin")));
        return Shell.run(repo, all, command);
    }

    /** {@code changed} is modified after the last build (both times in the past: a build afterwards is newer). */
    void changedAfterTheBuild(Path changed) throws Exception {
        Files.setLastModifiedTime(repo.resolve("distribution/target/tandem/.built"), FileTime.from(Instant.now().minus(10, ChronoUnit.MINUTES)));
        Files.setLastModifiedTime(changed, FileTime.from(Instant.now().minus(5, ChronoUnit.MINUTES)));
    }

    long builds() throws Exception {
        return Files.exists(mvnCalls) ? Files.readAllLines(mvnCalls).size() : 0;
    }

    @Test
    void theFirstStartShowsTheBuildsProgressWithoutEscapeCodesThenStartsTheServer() throws Exception {
        Result r = runSh("--port", "9999");
        assertThat(r.status()).as(r.toString()).isZero();
        // Then Maven ran once, for the distribution
        assertThat(Files.readString(mvnCalls)).contains("-pl distribution").contains("-am").contains("-Dmaven.test.skip=true").contains("package").contains("-B");
        // And its progress showed as a line per module and per jar, with the outcome, and no escape code
        assertThat(r.err()).contains("[tandem] building the distribution")
                .contains("[tandem] building Tandem server: HTTP dialects 0.1.0-SNAPSHOT [2/3]\n")
                .contains("[tandem]   downloaded api-0.35.1.jar (1.0 MB at 2.3 MB/s)")
                .contains("[tandem] BUILD SUCCESS").contains("[tandem] Total time: 1.234 s")
                .doesNotContain("x-1.pom").doesNotContain("maven-compiler-plugin").doesNotContain("\u001b");
        // And the whole Maven log was kept
        assertThat(Files.readString(repo.resolve("distribution/target/build.log"))).contains("x-1.pom").contains("maven-compiler-plugin");
        // And the distribution started with the arguments
        assertThat(r.out()).isEqualTo("launched --port 9999\n");
    }

    @Test
    void aSecondStartDoesNotBuildAgain() throws Exception {
        runSh();
        Result second = runSh("--port", "9999");
        assertThat(second.out()).isEqualTo("launched --port 9999\n");
        assertThat(second.err()).doesNotContain("building");
        assertThat(builds()).isEqualTo(1);
    }

    @Test
    void aChangedSourceIsBuiltBeforeTheServerStarts() throws Exception {
        runSh();
        changedAfterTheBuild(source);
        Result r = runSh();
        assertThat(r.err()).contains("building the distribution");
        assertThat(builds()).isEqualTo(2);
        // and only once
        runSh();
        assertThat(builds()).isEqualTo(2);
    }

    @Test
    void aDeletedSourceIsAChangeToo() throws Exception {
        Path other = Files.writeString(source.resolveSibling("Old.java"), "class Old {}");
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        Files.setLastModifiedTime(source.getParent(), FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
        runSh();
        Files.delete(other);
        changedAfterTheBuild(source.getParent());
        runSh();
        assertThat(builds()).isEqualTo(2);
    }

    @Test
    void keysAndUsageNeverWaitForMavenWhenADistributionIsThere() throws Exception {
        runSh();
        changedAfterTheBuild(source);
        Result keys = runSh("keys", "list");
        Result usage = runSh("usage", "--from", "2026-01-01");
        assertThat(builds()).isEqualTo(1);
        assertThat(keys.out()).isEqualTo("launched keys list\n");
        assertThat(usage.out()).isEqualTo("launched usage --from 2026-01-01\n");
        assertThat(keys.err()).contains("the sources changed since the last build").contains("--rebuild");
    }

    @Test
    void keysBuildWhenNothingIsBuiltYet() throws Exception {
        Result keys = runSh("keys", "--help");
        assertThat(builds()).isEqualTo(1);
        assertThat(keys.out()).isEqualTo("launched keys --help\n");
    }

    @Test
    void rebuildBuildsAnywayAndNoBuildNever() throws Exception {
        runSh();
        Result rebuilt = runSh("--rebuild", "keys", "list");
        assertThat(builds()).isEqualTo(2);
        assertThat(rebuilt.out()).isEqualTo("launched keys list\n");
        changedAfterTheBuild(source);
        Result notRebuilt = runSh("--no-build", "--port", "1");
        assertThat(builds()).isEqualTo(2);
        assertThat(notRebuilt.out()).isEqualTo("launched --port 1\n");
    }

    @Test
    void aFailedBuildShowsMavensErrorAndWhereTheLogIsAndStartsNothing() throws Exception {
        Result r = runSh(Map.of("FAKE_MVN_FAIL", "1"));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("[ERROR] /repo/server/src/main/java/Main.java:[12,5] ';' expected")
                .contains("[tandem] BUILD FAILURE").contains("distribution/target/build.log").doesNotContain("\u001b");
        assertThat(r.out()).isEmpty();
        // nothing half-built counts as built: the next start builds again
        runSh();
        assertThat(builds()).isEqualTo(2);
    }

    @Test
    void noBuildWithNothingBuiltSaysSo() throws Exception {
        Result r = runSh("--no-build");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("no distribution");
        assertThat(builds()).isZero();
    }

    @Test
    void helpNeedsNoBuildAndAddsTheServersOptionsOnceBuilt() throws Exception {
        Result before = runSh("--help");
        assertThat(before.status()).isZero();
        assertThat(before.out()).startsWith("Starts Tandem").contains("--rebuild").contains("--no-build")
                .doesNotContain("set -euo pipefail").doesNotContain("launched");
        assertThat(builds()).isZero();
        runSh();
        assertThat(runSh("-h").out()).contains("--rebuild").endsWith("launched --help\n");
        assertThat(builds()).isEqualTo(1);
    }

    @Test
    void offlineMeansMavenOffline() throws Exception {
        runSh(Map.of("TANDEM_OFFLINE", "1"));
        assertThat(Files.readString(mvnCalls)).contains(" -o");
    }
}
