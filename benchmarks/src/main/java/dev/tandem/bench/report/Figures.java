package dev.tandem.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The machine-readable side of each tool's report ({@code NAME.json} beside {@code NAME.md}), for the headline table. */
public final class Figures {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Figures() {}

    public static void write(Path dir, String name, Map<String, ?> figures) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".json"), JSON.writeValueAsString(figures));
    }

    /** The figures of {@code name}, or null when that tool did not run. */
    public static JsonNode read(Path dir, String name) throws IOException {
        Path file = dir.resolve(name + ".json");
        return Files.exists(file) ? JSON.readTree(file.toFile()) : null;
    }
}
