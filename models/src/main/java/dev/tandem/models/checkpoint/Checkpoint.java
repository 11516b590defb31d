package dev.tandem.models.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A HuggingFace Llama checkpoint directory: config.json, tokenizer.json (+ optional
 * tokenizer_config.json, generation_config.json) and safetensors weights, either {@code
 * model.safetensors}, or {@code model.safetensors.index.json} with its shards, or a set of unindexed
 * {@code *.safetensors}. Opening reads only the JSON files and the safetensors headers; tensor bytes
 * are mapped one tensor at a time through {@link #tensor(String)}.
 *
 * <p>Call {@link #validate()} before loading weights: it checks every tensor the model needs up front,
 * so that a bad checkpoint fails with a clear message instead of leaving a half-loaded model.
 */
public final class Checkpoint implements AutoCloseable {
    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String GENERATION_CONFIG = "generation_config.json";
    public static final String SINGLE_WEIGHTS = "model.safetensors";
    public static final String WEIGHTS_INDEX = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final LlamaConfig config;
    private final GenerationDefaults generationDefaults;
    private final TokenizerSettings tokenizerSettings;
    private final List<SafetensorsFile> files;
    /** Tensor name to the file that holds it, in file order. */
    private final Map<String, SafetensorsFile> tensorFiles;
    private volatile boolean closed;

    private Checkpoint(Path directory, LlamaConfig config, GenerationDefaults generationDefaults,
            TokenizerSettings tokenizerSettings, List<SafetensorsFile> files, Map<String, SafetensorsFile> tensorFiles) {
        this.directory = directory;
        this.config = config;
        this.generationDefaults = generationDefaults;
        this.tokenizerSettings = tokenizerSettings;
        this.files = files;
        this.tensorFiles = tensorFiles;
    }

    /** Opens {@code dir}: reads the JSON files and the weight headers. Throws CheckpointException naming the file at fault. */
    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir + ": checkpoint directory does not exist");
        }
        LlamaConfig config = LlamaConfig.read(dir.resolve(CONFIG));
        if (!Files.isRegularFile(dir.resolve(TOKENIZER))) {
            throw new CheckpointException(dir.resolve(TOKENIZER) + ": missing (the checkpoint needs a HF tokenizer.json)");
        }
        GenerationDefaults generation = optionalJson(dir.resolve(GENERATION_CONFIG))
                .map(GenerationDefaults::fromJson).orElse(GenerationDefaults.NONE);
        TokenizerSettings tokenizer = readTokenizerSettings(dir);

        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> tensorFiles = openWeights(dir, files);
            return new Checkpoint(dir, config, generation, tokenizer, List.copyOf(files), tensorFiles);
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    public Path directory() {
        return directory;
    }

    public LlamaConfig config() {
        return config;
    }

    /** generation_config.json, or {@link GenerationDefaults#NONE} when absent. */
    public GenerationDefaults generationDefaults() {
        return generationDefaults;
    }

    /** tokenizer_config.json, or {@link TokenizerSettings#LLAMA_DEFAULTS} when absent. */
    public TokenizerSettings tokenizerSettings() {
        return tokenizerSettings;
    }

    public Path tokenizerJson() {
        return directory.resolve(TOKENIZER);
    }

    /** The safetensors files, in the order they were found. */
    public List<Path> weightFiles() {
        return files.stream().map(f -> f.path).toList();
    }

    /** Names of all tensors in the weight files, sorted. */
    public Set<String> tensorNames() {
        return new TreeSet<>(tensorFiles.keySet());
    }

    public boolean hasTensor(String name) {
        return tensorFiles.containsKey(name);
    }

    /** Bytes of all tensors in the weight files, as stored (for load progress). */
    public long totalBytes() {
        return tensorFiles.entrySet().stream()
                .mapToLong(e -> e.getValue().entries.get(e.getKey()).byteSize()).sum();
    }

    /**
     * The named tensor, checked (supported dtype, byte size matching its shape, bytes inside the file)
     * but not read. Throws CheckpointException naming file and tensor otherwise.
     */
    public TensorView tensor(String name) {
        if (closed) {
            throw new IllegalStateException("checkpoint " + directory + " is closed");
        }
        SafetensorsFile file = tensorFiles.get(name);
        if (file == null) {
            throw new CheckpointException(weightsDescription() + ": tensor '" + name + "' is missing");
        }
        SafetensorsFile.Entry e = file.entries.get(name);
        TensorDtype dtype = TensorDtype.parse(e.dtype(), file.path, name);
        long expectedBytes;
        try {
            expectedBytes = Math.multiplyExact(e.elements(), dtype.bytes());
        } catch (ArithmeticException overflow) {
            throw new CheckpointException(file.path + ": tensor '" + name + "': shape " + Arrays.toString(e.shape()) + " overflows");
        }
        if (expectedBytes != e.byteSize()) {
            throw new CheckpointException(file.path + ": tensor '" + name + "': data_offsets span " + e.byteSize()
                    + " bytes but " + dtype + Arrays.toString(e.shape()) + " needs " + expectedBytes);
        }
        file.checkInside(e);
        return new TensorView(name, file.path, dtype, e.shape(), file.channel, file.dataStart + e.begin(), e.byteSize());
    }

    /**
     * Checks, without reading tensor data, that every weight the config needs exists with the right
     * shape and a supported dtype, and that every tensor's bytes lie inside its file.
     */
    public void validate() {
        for (String name : tensorFiles.keySet()) {
            SafetensorsFile file = tensorFiles.get(name);
            file.checkInside(file.entries.get(name));
        }
        for (LlamaTensors.Spec spec : LlamaTensors.expected(config)) {
            TensorView view = tensor(spec.name());
            if (!Arrays.equals(view.shape(), spec.shape())) {
                throw new CheckpointException(view.file() + ": tensor '" + spec.name() + "' has shape "
                        + Arrays.toString(view.shape()) + " but " + CONFIG + " implies " + Arrays.toString(spec.shape()));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        files.forEach(SafetensorsFile::close);
    }

    private String weightsDescription() {
        if (Files.exists(directory.resolve(WEIGHTS_INDEX))) {
            return directory.resolve(WEIGHTS_INDEX).toString();
        }
        return files.size() == 1 ? files.get(0).path.toString() : directory + "/*.safetensors";
    }

    private static Map<String, SafetensorsFile> openWeights(Path dir, List<SafetensorsFile> opened) {
        Path index = dir.resolve(WEIGHTS_INDEX);
        Map<String, String> weightMap = null;
        List<Path> paths;
        if (Files.isRegularFile(index)) {
            weightMap = readWeightMap(index);
            paths = new LinkedHashSet<>(weightMap.values()).stream().map(dir::resolve).toList();
            for (Path p : paths) {
                if (!Files.isRegularFile(p)) {
                    throw new CheckpointException(p + ": missing (listed in " + index + ")");
                }
            }
        } else if (Files.isRegularFile(dir.resolve(SINGLE_WEIGHTS))) {
            paths = List.of(dir.resolve(SINGLE_WEIGHTS));
        } else {
            paths = listSafetensors(dir);
            if (paths.isEmpty()) {
                throw new CheckpointException(dir + ": no " + SINGLE_WEIGHTS + ", " + WEIGHTS_INDEX
                        + " or *.safetensors (PyTorch .bin checkpoints are not supported: convert them to safetensors)");
            }
        }
        Map<String, SafetensorsFile> tensorFiles = new LinkedHashMap<>();
        for (Path p : paths) {
            SafetensorsFile file = SafetensorsFile.open(p);
            opened.add(file);
            for (String name : file.entries.keySet()) {
                SafetensorsFile previous = tensorFiles.put(name, file);
                if (previous != null) {
                    throw new CheckpointException(p + ": tensor '" + name + "' is also in " + previous.path);
                }
            }
        }
        if (weightMap != null) {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                SafetensorsFile holder = tensorFiles.get(e.getKey());
                if (holder == null || !holder.path.equals(dir.resolve(e.getValue()))) {
                    throw new CheckpointException(dir.resolve(e.getValue()) + ": tensor '" + e.getKey()
                            + "' is listed in " + index.getFileName() + " but not in that file");
                }
            }
        }
        return tensorFiles;
    }

    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root = optionalJson(index).orElseThrow();
        JsonNode map = root.path("weight_map");
        if (!map.isObject()) {
            throw new CheckpointException(index + ": no weight_map object");
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String file = e.getValue().asText("");
            if (!file.endsWith(".safetensors") || file.contains("/") || file.contains("\\")) {
                throw new CheckpointException(index + ": tensor '" + e.getKey() + "' maps to bad file name '" + file + "'");
            }
            out.put(e.getKey(), file);
        }
        return out;
    }

    private static List<Path> listSafetensors(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot list: " + e, e);
        }
    }

    private static TokenizerSettings readTokenizerSettings(Path dir) {
        TokenizerSettings settings = optionalJson(dir.resolve(TOKENIZER_CONFIG))
                .map(TokenizerSettings::fromJson).orElse(TokenizerSettings.LLAMA_DEFAULTS);
        Path jinja = dir.resolve("chat_template.jinja"); // newer transformers save the template beside the config
        if (settings.chatTemplate() == null && Files.isRegularFile(jinja)) {
            try {
                settings = settings.withChatTemplate(Files.readString(jinja));
            } catch (IOException e) {
                throw new CheckpointException(jinja + ": cannot read: " + e, e);
            }
        }
        return settings;
    }

    /** The parsed JSON object of {@code file}, empty when the file does not exist. */
    private static Optional<JsonNode> optionalJson(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new CheckpointException(file + ": expected a JSON object");
            }
            return Optional.of(node);
        } catch (IOException e) {
            throw new CheckpointException(file + ": not valid JSON: " + e.getMessage(), e);
        } catch (CheckpointException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
    }
}
