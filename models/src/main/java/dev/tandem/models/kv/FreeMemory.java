package dev.tandem.models.kv;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Memory free now on a device: what the KV pool may take a fraction of. */
public final class FreeMemory {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private FreeMemory() {}

    /** GPU: free device memory (CUDA's cudaMemGetInfo through DJL); CPU: the kernel's MemAvailable. */
    public static long bytes(Device device) {
        if (device.isGpu()) {
            MemoryUsage usage = CudaUtils.getGpuMemory(device);
            return usage.getMax() - usage.getUsed();
        }
        return cpuAvailable();
    }

    /**
     * MemAvailable of /proc/meminfo: free memory plus what the kernel can reclaim without swapping (the
     * page cache of the checkpoint's mapped files, for one). Elsewhere the JVM's view of free memory.
     */
    static long cpuAvailable() {
        if (Files.isReadable(MEMINFO)) {
            try {
                return memAvailable(Files.readAllLines(MEMINFO));
            } catch (IOException | IllegalStateException e) {
                // fall through to the JVM's view
            }
        }
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getFreeMemorySize();
    }

    /** Bytes of the {@code MemAvailable: N kB} line. */
    static long memAvailable(List<String> meminfo) {
        for (String line : meminfo) {
            if (line.startsWith("MemAvailable:")) {
                String[] parts = line.trim().split("\\s+");
                return Long.parseLong(parts[1]) * 1024;
            }
        }
        throw new IllegalStateException("no MemAvailable line in /proc/meminfo");
    }
}
