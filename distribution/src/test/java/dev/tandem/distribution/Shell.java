package dev.tandem.distribution;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the repository's shell scripts as a user would, with their output captured. */
final class Shell {
    /** Bounds a hung script only: every script here ends by itself. */
    private static final long HUNG_MINUTES = 5;

    record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Shell() {}

    /** The repository's root: the first directory up from here that holds scripts/run.sh. */
    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/run.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("no scripts/run.sh above " + Path.of("").toAbsolutePath());
    }

    /** Runs {@code command} in {@code dir} with {@code env} added to this process's environment. */
    static Result run(Path dir, Map<String, String> env, String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("shell", ".out");
        Path err = Files.createTempFile("shell", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(HUNG_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " still running after " + HUNG_MINUTES + " min");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Writes an executable script. */
    static Path script(Path file, String... lines) throws IOException {
        Files.createDirectories(file.getParent());
        List<String> all = new ArrayList<>(List.of("#!/usr/bin/env bash"));
        all.addAll(List.of(lines));
        Files.write(file, all, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** {@code dir} first on the PATH. */
    static String pathWith(Path dir) {
        return dir + ":" + System.getenv("PATH");
    }
}
