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

    /**
     * A tool's output when it was given {@code --out DIR}: {@code NAME.md} (the table) and {@code NAME.json}
     * (the figures) in DIR, NAME from {@code --name} or {@code defaultName}. Nothing without {@code --out}.
     */
    public static void writeIfAsked(dev.tandem.bench.Args args, String defaultName, String markdown, Map<String, ?> figures)
            throws IOException {
        if (!args.has("out")) {
            return;
        }
        Path out = Path.of(args.get("out", "."));
        String name = args.get("name", defaultName);
        Files.createDirectories(out);
        Files.writeString(out.resolve(name + ".md"), markdown);
        write(out, name, figures);
    }

    /** The figures of {@code name}, or null when that tool did not run. */
    public static JsonNode read(Path dir, String name) throws IOException {
        Path file = dir.resolve(name + ".json");
        return Files.exists(file) ? JSON.readTree(file.toFile()) : null;
    }
}
