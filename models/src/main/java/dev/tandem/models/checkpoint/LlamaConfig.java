package dev.tandem.models.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The numbers of a Llama-family {@code config.json}, with HF's defaults where a field may be absent.
 * Read with {@link #read(Path)} or {@link #parse(String, String)}: both validate once, and every error
 * names config.json and the field.
 *
 * @param numKeyValueHeads grouped-query attention: query heads share {@code numAttentionHeads /
 *     numKeyValueHeads} key/value heads (equal to the heads when config.json omits it)
 * @param headDim {@code head_dim} when given, else {@code hiddenSize / numAttentionHeads}
 * @param ropeScaling null: no scaling
 * @param bosTokenId null when config.json has none
 * @param eosTokenIds possibly empty; config.json may give an int or a list
 * @param torchDtype the dtype the weights were saved in, as written ("float16", "bfloat16"...), or null
 */
public record LlamaConfig(
        List<String> architectures,
        String modelType,
        int hiddenSize,
        int intermediateSize,
        int numAttentionHeads,
        int numKeyValueHeads,
        int numHiddenLayers,
        int headDim,
        double rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        int vocabSize,
        boolean tieWordEmbeddings,
        Integer bosTokenId,
        List<Integer> eosTokenIds,
        String torchDtype) {

    /** Architectures whose weights and maths are exactly HF's LlamaForCausalLM. */
    public static final Set<String> LLAMA_ARCHITECTURES = Set.of("LlamaForCausalLM", "LLaMAForCausalLM");

    static final String FILE = "config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public LlamaConfig {
        architectures = List.copyOf(architectures);
        eosTokenIds = List.copyOf(eosTokenIds);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("num_hidden_layers", numHiddenLayers);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("vocab_size", vocabSize);
        if (!(rmsNormEps > 0)) {
            throw invalid("rms_norm_eps", "must be > 0, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0)) {
            throw invalid("rope_theta", "must be > 0, got " + ropeTheta);
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw invalid("num_key_value_heads", numKeyValueHeads + " does not divide num_attention_heads "
                    + numAttentionHeads);
        }
        if (headDim % 2 != 0) {
            throw invalid("head_dim", "must be even for rotary embeddings, got " + headDim);
        }
        if (architectures.stream().noneMatch(LLAMA_ARCHITECTURES::contains)
                && !(architectures.isEmpty() && "llama".equals(modelType))) {
            throw invalid("architectures", architectures + " is not a Llama-family architecture (supported: "
                    + LLAMA_ARCHITECTURES + ")");
        }
    }

    /** Query heads per key/value head (1 without grouped-query attention). */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** Width of the key and value projections: {@code numKeyValueHeads × headDim}. */
    public int kvDim() {
        return numKeyValueHeads * headDim;
    }

    /** Width of the query projection: {@code numAttentionHeads × headDim}. */
    public int qDim() {
        return numAttentionHeads * headDim;
    }

    /**
     * RoPE inverse frequencies {@code 1 / theta^(2i/headDim)} for {@code i < headDim/2}, with {@link
     * #ropeScaling()} applied: what HF's rotary embedding multiplies positions by.
     */
    public double[] ropeInverseFrequencies() {
        double[] invFreq = new double[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = 1.0 / Math.pow(ropeTheta, (2.0 * i) / headDim);
        }
        return ropeScaling == null ? invFreq : ropeScaling.scale(invFreq);
    }

    /** Reads and validates {@code file} (a config.json). */
    public static LlamaConfig read(Path file) {
        String json;
        try {
            json = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": missing (every checkpoint needs config.json)");
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(json, file.toString());
    }

    /** Parses config.json text; {@code where} names the file in error messages. */
    public static LlamaConfig parse(String json, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CheckpointException(where + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(root instanceof ObjectNode)) {
            throw new CheckpointException(where + ": expected a JSON object");
        }
        try {
            return fromJson(root);
        } catch (CheckpointException e) {
            // field errors say "config.json: field ..."; name the actual file instead
            String detail = e.getMessage().startsWith(FILE + ": ") ? e.getMessage().substring(FILE.length() + 2) : e.getMessage();
            throw new CheckpointException(where + ": " + detail, e);
        }
    }

    private static LlamaConfig fromJson(JsonNode n) {
        rejectUnsupported(n);
        int hidden = requiredInt(n, "hidden_size");
        int heads = requiredInt(n, "num_attention_heads");
        int kvHeads = n.hasNonNull("num_key_value_heads") ? intField(n, "num_key_value_heads") : heads;
        int headDim;
        if (n.hasNonNull("head_dim")) {
            headDim = intField(n, "head_dim");
        } else {
            positive("num_attention_heads", heads);
            if (hidden % heads != 0) {
                throw invalid("hidden_size", hidden + " is not divisible by num_attention_heads " + heads);
            }
            headDim = hidden / heads;
        }
        return new LlamaConfig(
                stringList(n.get("architectures")),
                n.hasNonNull("model_type") ? n.get("model_type").asText() : null,
                hidden,
                requiredInt(n, "intermediate_size"),
                heads,
                kvHeads,
                requiredInt(n, "num_hidden_layers"),
                headDim,
                n.hasNonNull("rms_norm_eps") ? doubleField(n, "rms_norm_eps") : 1e-6,
                n.hasNonNull("rope_theta") ? doubleField(n, "rope_theta") : 10000.0,
                ropeScaling(n.get("rope_scaling")),
                n.hasNonNull("max_position_embeddings") ? intField(n, "max_position_embeddings") : 2048,
                requiredInt(n, "vocab_size"),
                n.path("tie_word_embeddings").asBoolean(false),
                n.hasNonNull("bos_token_id") ? intField(n, "bos_token_id") : null,
                intList(n.get("eos_token_id"), "eos_token_id"),
                n.hasNonNull("torch_dtype") ? n.get("torch_dtype").asText()
                        : n.hasNonNull("dtype") ? n.get("dtype").asText() : null);
    }

    /** Llama variants whose extra features the engine does not implement: refuse rather than compute wrongly. */
    private static void rejectUnsupported(JsonNode n) {
        String act = n.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw invalid("hidden_act", "'" + act + "' is not supported (silu)");
        }
        if (n.path("attention_bias").asBoolean(false)) {
            throw invalid("attention_bias", "true is not supported");
        }
        if (n.path("mlp_bias").asBoolean(false)) {
            throw invalid("mlp_bias", "true is not supported");
        }
    }

    static RopeScaling ropeScaling(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw invalid("rope_scaling", "expected an object or null");
        }
        String type = node.hasNonNull("rope_type") ? node.get("rope_type").asText() : node.path("type").asText("");
        if (type.equals("default")) {
            return null;
        }
        if (!type.equals(RopeScaling.LINEAR) && !type.equals(RopeScaling.LLAMA3)) {
            throw invalid("rope_scaling", "type '" + type + "' is not supported (linear, llama3)");
        }
        if (!node.hasNonNull("factor") || !node.get("factor").isNumber()) {
            throw invalid("rope_scaling", "factor is missing");
        }
        try {
            return new RopeScaling(
                    type,
                    node.get("factor").asDouble(),
                    node.hasNonNull("low_freq_factor") ? node.get("low_freq_factor").asDouble() : null,
                    node.hasNonNull("high_freq_factor") ? node.get("high_freq_factor").asDouble() : null,
                    node.hasNonNull("original_max_position_embeddings")
                            ? node.get("original_max_position_embeddings").asInt() : null);
        } catch (IllegalArgumentException e) {
            throw invalid("rope_scaling", e.getMessage());
        }
    }

    private static int requiredInt(JsonNode n, String field) {
        if (!n.hasNonNull(field)) {
            throw invalid(field, "is missing");
        }
        return intField(n, field);
    }

    private static int intField(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw invalid(field, "expected an integer, got " + v);
        }
        return v.intValue();
    }

    private static double doubleField(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (!v.isNumber()) {
            throw invalid(field, "expected a number, got " + v);
        }
        return v.doubleValue();
    }

    static List<Integer> intList(JsonNode v, String field) {
        List<Integer> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isIntegralNumber()) {
            out.add(v.intValue());
            return out;
        }
        if (!v.isArray()) {
            throw invalid(field, "expected an integer or a list of integers, got " + v);
        }
        for (JsonNode e : v) {
            if (!e.isIntegralNumber()) {
                throw invalid(field, "expected an integer or a list of integers, got " + v);
            }
            out.add(e.intValue());
        }
        return out;
    }

    private static List<String> stringList(JsonNode v) {
        List<String> out = new ArrayList<>();
        if (v != null && v.isArray()) {
            v.forEach(e -> out.add(e.asText()));
        } else if (v != null && v.isTextual()) {
            out.add(v.asText());
        }
        return out;
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw invalid(field, "must be > 0, got " + value);
        }
    }

    private static CheckpointException invalid(String field, String problem) {
        return new CheckpointException(FILE + ": " + field + " " + problem);
    }
}
