package dev.tandem.bench.engine;

import dev.tandem.models.checkpoint.CheckpointGenerator;
import dev.tandem.models.checkpoint.GeneratorOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The generated checkpoints the engine benchmarks run on, written once into a cache directory
 * ({@code -Dtandem.bench.checkpoints=DIR}, default {@code $TMPDIR/tandem-bench-checkpoints}) and
 * reused by every fork and tool. Random weights: the numbers measure speed, not answers.
 */
public final class Checkpoints {
    public static final String TINY = "tiny";
    public static final String SHAPE_110M = "110m";

    private static final String DONE = ".complete";

    private Checkpoints() {}

    /** "tiny" (hidden 64, 2 layers; 2,048 positions so that a 1,024-token prefill fits) or "110m". */
    public static GeneratorOptions options(String shape) {
        return switch (shape) {
            case TINY -> GeneratorOptions.tiny().withMaxPositions(2048);
            case SHAPE_110M -> GeneratorOptions.shape110M();
            default -> throw new IllegalArgumentException("unknown shape " + shape + " (tiny or 110m)");
        };
    }

    public static Path cacheDir() {
        String dir = System.getProperty("tandem.bench.checkpoints");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("java.io.tmpdir"), "tandem-bench-checkpoints");
    }

    /** The checkpoint directory of {@code shape}, generated on first use. */
    public static synchronized Path get(String shape) {
        GeneratorOptions options = options(shape);
        Path dir = cacheDir().resolve(shape);
        Path done = dir.resolve(DONE);
        try {
            if (Files.exists(done) && Files.readString(done).equals(options.toString())) {
                return dir;
            }
            long start = System.nanoTime();
            CheckpointGenerator.write(dir, options);
            Files.writeString(done, options.toString());
            System.err.printf("generated %s checkpoint in %s (%.1f s)%n", shape, dir, (System.nanoTime() - start) / 1e9);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the " + shape + " checkpoint in " + dir, e);
        }
    }

    public static void main(String[] args) {
        for (String shape : args.length == 0 ? new String[] {TINY, SHAPE_110M} : args) {
            System.out.println(get(shape));
        }
    }
}
