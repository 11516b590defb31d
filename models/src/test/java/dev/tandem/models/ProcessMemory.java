package dev.tandem.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory, for tests that prove native memory returns to its baseline. */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** VmRSS in kB, after a garbage collection (so that collectable Java objects do not count). */
    public static long rssKb() throws IOException {
        System.gc();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }
}
