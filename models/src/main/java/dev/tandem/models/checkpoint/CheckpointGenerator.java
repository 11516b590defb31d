package dev.tandem.models.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Writes a random-weight Llama checkpoint in exact HF layout: config.json, generation_config.json,
 * tokenizer_config.json (with a Llama-2 chat template), tokenizer.json and safetensors weights, one
 * file or sharded with an index. Nothing is downloaded and no weights are committed: tests, the demo
 * server and the benchmarks generate what they need. Deterministic for a seed; each tensor's values
 * depend only on the seed and the tensor's name, so sharding and dtype do not change them.
 *
 * <p>Command line: {@code --out DIR [--preset tiny|110m] [--dtype f32|f16|bf16] [--shards N] [--seed S]
 * [--hidden N] [--intermediate N] [--layers N] [--heads N] [--kv-heads N] [--vocab N] [--max-positions N]
 * [--rope-theta X] [--rope-linear FACTOR] [--tie] [--endless]}
 */
public final class CheckpointGenerator {

    /** The CodeLlama-Instruct / Llama-2-chat template, as published in their tokenizer_config.json. */
    public static final String LLAMA2_CHAT_TEMPLATE = "{% if messages[0]['role'] == 'system' %}"
            + "{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}"
            + "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
            + "{% for message in loop_messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}"
            + "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content | trim + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' '  + content | trim + ' ' + eos_token }}{% endif %}"
            + "{% endfor %}";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CheckpointGenerator() {}

    /** Writes the checkpoint described by {@code options} into {@code dir} (created if needed); returns {@code dir}. */
    public static Path write(Path dir, GeneratorOptions options) {
        try {
            Files.createDirectories(dir);
            removeOldWeights(dir);
            LlamaConfig config = options.config();
            writeJson(dir.resolve(Checkpoint.CONFIG), configJson(options));
            writeJson(dir.resolve(Checkpoint.GENERATION_CONFIG), generationConfigJson());
            writeJson(dir.resolve(Checkpoint.TOKENIZER_CONFIG), tokenizerConfigJson(config));
            Files.writeString(dir.resolve(Checkpoint.TOKENIZER),
                    new ObjectMapper().writeValueAsString(LlamaTokenizerJson.build(options.vocabSize())));
            writeWeights(dir, options, config);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint to " + dir, e);
        }
    }

    /**
     * The values the generator writes for tensor {@code name} of {@code elements} elements, before
     * rounding to the file's dtype: tests compare what they read back against these.
     */
    public static float[] values(GeneratorOptions options, String name, int elements) {
        long[] shape = LlamaTensors.expected(options.config()).stream().filter(s -> s.name().equals(name))
                .map(LlamaTensors.Spec::shape).findFirst().orElse(new long[] {elements});
        float[] out = new float[elements];
        source(options, new LlamaTensors.Spec(name, shape)).next(out, elements);
        return out;
    }

    private static SafetensorsWriter.ValueSource source(GeneratorOptions options, LlamaTensors.Spec spec) {
        String name = spec.name();
        SplittableRandom random = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + name.hashCode());
        boolean norm = name.endsWith("norm.weight");
        // uniform on [-a, a] has standard deviation a / sqrt(3)
        double a = options.weightScale() * Math.sqrt(3);
        long columns = spec.shape()[spec.shape().length - 1];
        long[] written = {0};
        return (dst, count) -> {
            for (int i = 0; i < count; i++) {
                double u = random.nextDouble(-1, 1);
                // norms scatter around 1 so that a mistake in applying them shows in the logits
                dst[i] = (float) (norm ? 1 + 0.1 * u : a * u);
                if (options.endless()) {
                    long at = written[0] + i;
                    dst[i] = Endless.value(options, name, at / columns, at % columns, dst[i]);
                }
            }
            written[0] += count;
        };
    }

    /**
     * How an endless checkpoint never samples a token that ends a generation (end-of-sequence, and CodeLlama's
     * end-of-infill, which the tokenizer counts as one): one residual coordinate is held at 1 (every token's
     * embedding is 1 there, and no attention or MLP output writes to it), so after the final RMSNorm (whose
     * weights are positive) that coordinate is positive at every position; the head's rows of those tokens
     * weigh it at {@code -ENDING_WEIGHT}, which puts their logits hundreds below every other. The other weights
     * stay random.
     */
    static final class Endless {
        static final float ENDING_WEIGHT = 1000;

        private Endless() {}

        static float value(GeneratorOptions options, String name, long row, long column, float random) {
            int held = options.hiddenSize() - 1;
            if (name.equals(LlamaTensors.EMBED_TOKENS)) {
                return column == held ? 1 : random;
            }
            if (name.endsWith(".self_attn.o_proj.weight") || name.endsWith(".mlp.down_proj.weight")) {
                return row == held ? 0 : random;
            }
            if (name.equals(LlamaTensors.LM_HEAD)) {
                boolean ending = row == LlamaTokenizerJson.EOS_ID || row == LlamaTokenizerJson.EOT_ID;
                return ending && column == held ? -ENDING_WEIGHT : random;
            }
            return random;
        }
    }

    private static void writeWeights(Path dir, GeneratorOptions options, LlamaConfig config) throws IOException {
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (LlamaTensors.Spec spec : LlamaTensors.expected(config)) {
            tensors.add(new SafetensorsWriter.Tensor(spec.name(), spec.shape(), source(options, spec)));
        }
        int shards = options.shards();
        if (shards > tensors.size()) {
            throw new IllegalArgumentException("cannot split " + tensors.size() + " tensors into " + shards + " shards");
        }
        if (shards == 1) {
            SafetensorsWriter.write(dir.resolve(Checkpoint.SINGLE_WEIGHTS), tensors, options.dtype());
            return;
        }
        List<List<SafetensorsWriter.Tensor>> split = splitBalanced(tensors, shards, options.dtype());
        Map<String, String> weightMap = new TreeMap<>();
        long totalSize = 0;
        for (int s = 0; s < shards; s++) {
            String file = String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", s + 1, shards);
            totalSize += SafetensorsWriter.write(dir.resolve(file), split.get(s), options.dtype());
            split.get(s).forEach(t -> weightMap.put(t.name(), file));
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", totalSize);
        ObjectNode map = index.putObject("weight_map");
        weightMap.forEach(map::put);
        writeJson(dir.resolve(Checkpoint.WEIGHTS_INDEX), index);
    }

    /** Consecutive groups of roughly equal bytes, none empty. */
    private static List<List<SafetensorsWriter.Tensor>> splitBalanced(
            List<SafetensorsWriter.Tensor> tensors, int shards, TensorDtype dtype) {
        long total = tensors.stream().mapToLong(t -> t.elements() * dtype.bytes()).sum();
        List<List<SafetensorsWriter.Tensor>> out = new ArrayList<>();
        out.add(new ArrayList<>());
        long cumulative = 0;
        for (int i = 0; i < tensors.size(); i++) {
            int s = out.size() - 1;
            int tensorsLeft = tensors.size() - i;
            int shardsAfter = shards - 1 - s;
            boolean full = cumulative >= (s + 1) * total / shards;
            if (!out.get(s).isEmpty() && shardsAfter > 0 && (full || tensorsLeft == shardsAfter)) {
                out.add(new ArrayList<>());
            }
            out.get(out.size() - 1).add(tensors.get(i));
            cumulative += tensors.get(i).elements() * dtype.bytes();
        }
        return out;
    }

    private static ObjectNode configJson(GeneratorOptions o) {
        ObjectNode c = JSON.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("attention_bias", false);
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", LlamaTokenizerJson.BOS_ID);
        c.put("eos_token_id", LlamaTokenizerJson.EOS_ID);
        c.put("hidden_act", "silu");
        c.put("hidden_size", o.hiddenSize());
        c.put("initializer_range", o.weightScale());
        c.put("intermediate_size", o.intermediateSize());
        c.put("max_position_embeddings", o.maxPositions());
        c.put("model_type", "llama");
        c.put("num_attention_heads", o.heads());
        c.put("num_hidden_layers", o.layers());
        c.put("num_key_value_heads", o.kvHeads());
        c.put("pretraining_tp", 1);
        c.put("rms_norm_eps", 1e-5);
        if (o.ropeScaling() == null) {
            c.putNull("rope_scaling");
        } else {
            ObjectNode r = c.putObject("rope_scaling");
            r.put("type", o.ropeScaling().type());
            r.put("factor", o.ropeScaling().factor());
            if (o.ropeScaling().lowFreqFactor() != null) {
                r.put("low_freq_factor", o.ropeScaling().lowFreqFactor());
                r.put("high_freq_factor", o.ropeScaling().highFreqFactor());
                r.put("original_max_position_embeddings", o.ropeScaling().originalMaxPositionEmbeddings());
            }
        }
        c.put("rope_theta", o.ropeTheta());
        c.put("tie_word_embeddings", o.tieEmbeddings());
        c.put("torch_dtype", o.torchDtype());
        c.put("transformers_version", "4.44.0");
        c.put("use_cache", true);
        c.put("vocab_size", o.vocabSize());
        return c;
    }

    private static ObjectNode generationConfigJson() {
        ObjectNode g = JSON.createObjectNode();
        g.put("bos_token_id", LlamaTokenizerJson.BOS_ID);
        g.put("eos_token_id", LlamaTokenizerJson.EOS_ID);
        g.put("temperature", 0.6);
        g.put("top_p", 0.9);
        g.put("do_sample", true);
        g.put("transformers_version", "4.44.0");
        return g;
    }

    private static ObjectNode tokenizerConfigJson(LlamaConfig config) {
        ObjectNode t = JSON.createObjectNode();
        t.put("add_bos_token", true);
        t.put("add_eos_token", false);
        t.put("bos_token", "<s>");
        t.put("eos_token", "</s>");
        t.put("unk_token", "<unk>");
        t.putNull("pad_token");
        t.put("chat_template", LLAMA2_CHAT_TEMPLATE);
        t.put("clean_up_tokenization_spaces", false);
        t.put("legacy", true);
        t.put("model_max_length", config.maxPositionEmbeddings());
        t.put("tokenizer_class", "CodeLlamaTokenizer");
        var specials = t.putArray("additional_special_tokens");
        LlamaTokenizerJson.INFILL_TOKENS.forEach(specials::add);
        return t;
    }

    private static void writeJson(Path file, ObjectNode node) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(node));
    }

    /** A previous run may have left another layout (sharded vs single); mixing them would confuse loading. */
    private static void removeOldWeights(Path dir) throws IOException {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "*.safetensors*")) {
            for (Path p : old) {
                Files.delete(p);
            }
        }
    }

    public static void main(String[] args) {
        // the preset is the base whatever its position; the other flags change it
        GeneratorOptions options = GeneratorOptions.tiny();
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--preset")) {
                options = switch (args[i + 1]) {
                    case "tiny" -> GeneratorOptions.tiny();
                    case "110m", "110M" -> GeneratorOptions.shape110M();
                    default -> usage("unknown preset " + args[i + 1]);
                };
            }
        }
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--tie")) {
                options = options.withTieEmbeddings(true);
                continue;
            }
            if (flag.equals("--endless")) {
                options = options.withEndless(true);
                continue;
            }
            if (i + 1 >= args.length) {
                usage("missing value for " + flag);
            }
            String v = args[++i];
            try {
                switch (flag) {
                    case "--out" -> out = Path.of(v);
                    case "--preset" -> { } // applied above
                    case "--dtype" -> options = options.withDtype(TensorDtype.valueOf(v.toUpperCase(Locale.ROOT)));
                    case "--shards" -> options = options.withShards(Integer.parseInt(v));
                    case "--seed" -> options = options.withSeed(Long.parseLong(v));
                    case "--hidden" -> options = options.withHiddenSize(Integer.parseInt(v));
                    case "--intermediate" -> options = options.withIntermediateSize(Integer.parseInt(v));
                    case "--layers" -> options = options.withLayers(Integer.parseInt(v));
                    case "--heads" -> options = options.withHeads(Integer.parseInt(v));
                    case "--kv-heads" -> options = options.withKvHeads(Integer.parseInt(v));
                    case "--vocab" -> options = options.withVocabSize(Integer.parseInt(v));
                    case "--max-positions" -> options = options.withMaxPositions(Integer.parseInt(v));
                    case "--rope-theta" -> options = options.withRopeTheta(Double.parseDouble(v));
                    case "--rope-linear" -> options = options.withRopeScaling(RopeScaling.linear(Double.parseDouble(v)));
                    default -> usage("unknown option " + flag);
                }
            } catch (IllegalArgumentException | CheckpointException e) {
                usage(flag + " " + v + ": " + e.getMessage());
            }
        }
        if (out == null) {
            usage("--out DIR is required");
        }
        write(out, options);
        System.out.println("wrote " + options + " to " + out.toAbsolutePath());
    }

    private static GeneratorOptions usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: CheckpointGenerator --out DIR [--preset tiny|110m] [--dtype f32|f16|bf16] [--shards N]"
                + " [--seed S] [--hidden N] [--intermediate N] [--layers N] [--heads N] [--kv-heads N] [--vocab N]"
                + " [--max-positions N] [--rope-theta X] [--rope-linear FACTOR] [--tie] [--endless]");
        System.exit(2);
        return null;
    }
}
