package dev.tandem.models.step;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The compute dtype for a device, and why: {@code auto} is bfloat16 on CPUs with native bfloat16
 * products (AVX512_BF16 or AMX) and on GPUs of compute capability 8 or more, float16 on older GPUs,
 * float32 elsewhere. An explicit dtype the device cannot run, or would run absurdly slowly, is
 * refused with a message that says what to set instead.
 *
 * @param reason one line for the start-up log
 */
public record DtypeChoice(ComputeDtype dtype, String reason) {

    /**
     * What the step's device offers.
     *
     * @param gpu false: a CPU
     * @param cpuFlags the CPU's feature flags (/proc/cpuinfo), lower case; empty on a GPU
     * @param computeCapability a GPU's compute capability times 10 (80 for 8.0); 0 on a CPU
     */
    public record Hardware(boolean gpu, Set<String> cpuFlags, int computeCapability) {
        public Hardware {
            cpuFlags = Set.copyOf(cpuFlags);
        }

        public static Hardware cpu(Set<String> flags) {
            return new Hardware(false, flags, 0);
        }

        public static Hardware gpu(int computeCapability) {
            return new Hardware(true, Set.of(), computeCapability);
        }

        /** This machine's CPU, from /proc/cpuinfo (no flags where that file is absent). */
        public static Hardware thisCpu() {
            return cpu(cpuFlags(Path.of("/proc/cpuinfo")));
        }

        /** AVX512_BF16 or AMX: bfloat16 products at full speed. */
        boolean cpuBf16() {
            return cpuFlags.contains("avx512_bf16") || cpuFlags.contains("amx_bf16");
        }

        String describe() {
            if (gpu) {
                return String.format(Locale.ROOT, "GPU of compute capability %d.%d", computeCapability / 10, computeCapability % 10);
            }
            return cpuBf16() ? "CPU with " + (cpuFlags.contains("amx_bf16") ? "AMX" : "AVX512_BF16") : "CPU without AVX512_BF16 or AMX";
        }

        static Set<String> cpuFlags(Path cpuinfo) {
            try {
                if (!Files.isReadable(cpuinfo)) {
                    return Set.of();
                }
                return Files.readAllLines(cpuinfo).stream()
                        .filter(line -> line.startsWith("flags"))
                        .findFirst()
                        .map(line -> Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                                .map(f -> f.toLowerCase(Locale.ROOT)).collect(Collectors.toSet()))
                        .orElse(Set.of());
            } catch (IOException e) {
                return Set.of();
            }
        }
    }

    /** The dtype for {@code requested} ("auto", "float32", "bf16", ...) on {@code hardware}. */
    public static DtypeChoice choose(String requested, Hardware hardware) {
        ComputeDtype wanted = ComputeDtype.parse(requested);
        String machine = hardware.describe();
        if (wanted == null) {
            if (hardware.gpu()) {
                return hardware.computeCapability() >= 80
                        ? new DtypeChoice(ComputeDtype.BFLOAT16, "auto: " + machine + " runs bfloat16 natively")
                        : new DtypeChoice(ComputeDtype.FLOAT16, "auto: " + machine + " has no fast bfloat16 (needs 8.0+)");
            }
            return hardware.cpuBf16()
                    ? new DtypeChoice(ComputeDtype.BFLOAT16, "auto: " + machine + " runs bfloat16 products natively")
                    : new DtypeChoice(ComputeDtype.FLOAT32, "auto: " + machine + " (bfloat16 would be emulated)");
        }
        switch (wanted) {
            case FLOAT16 -> {
                if (!hardware.gpu()) {
                    throw new IllegalArgumentException("compute dtype float16 is refused on the CPU: PyTorch's float16 "
                            + "products run 15-58x slower than float32 there; set engine.dtype to "
                            + (hardware.cpuBf16() ? "bfloat16 (this CPU runs it natively), float32 or auto" : "float32 or auto"));
                }
            }
            case BFLOAT16 -> {
                if (hardware.gpu() && hardware.computeCapability() < 80) {
                    throw new IllegalArgumentException("compute dtype bfloat16 is refused on this " + machine
                            + ": it needs compute capability 8.0 or more; set engine.dtype to float16, float32 or auto");
                }
                if (!hardware.gpu() && !hardware.cpuBf16()) {
                    throw new IllegalArgumentException("compute dtype bfloat16 is refused on this " + machine
                            + ": its bfloat16 products would be emulated, far slower than float32; set engine.dtype to "
                            + "float32 or auto");
                }
            }
            case FLOAT32 -> { }
        }
        return new DtypeChoice(wanted, "set by engine.dtype on a " + machine);
    }
}
