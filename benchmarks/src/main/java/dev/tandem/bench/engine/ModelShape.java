package dev.tandem.bench.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The numbers of a Llama checkpoint's config.json that decide how many weight bytes one decode step
 * must read.
 */
public record ModelShape(
        int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab, boolean tiedEmbeddings) {

    public static ModelShape read(Path checkpointDir) throws IOException {
        JsonNode c = new ObjectMapper().readTree(checkpointDir.resolve("config.json").toFile());
        int heads = c.path("num_attention_heads").asInt();
        return new ModelShape(
                c.path("hidden_size").asInt(),
                c.path("num_hidden_layers").asInt(),
                heads,
                c.path("num_key_value_heads").asInt(heads),
                c.path("intermediate_size").asInt(),
                c.path("vocab_size").asInt(),
                c.path("tie_word_embeddings").asBoolean(false));
    }

    /**
     * Parameters one decode step reads, per token of a batch-1 step:
     * <pre>
     *   per layer: wq h·h + wk h·kv + wv h·kv + wo h·h     (kv = kvHeads · h / heads)
     *            + gate h·f + up h·f + down f·h             (f = intermediate)
     *            + 2 RMSNorm weights h
     *   + final norm h
     *   + lm_head vocab·h (read whole to score every token)
     *   + one embedding row h (the table is indexed, not read whole; with tied embeddings the row
     *     lies inside the lm_head read and is not counted twice)
     * </pre>
     * The KV cache read (grows with the context) is left out: at the short contexts of the decode
     * benchmarks it is under 1% of the weights for the 110M shape.
     */
    public long paramsReadPerToken() {
        long h = hidden;
        long kv = (long) kvHeads * hidden / heads;
        long f = intermediate;
        long perLayer = h * h + 2 * h * kv + h * h + 3 * h * f + 2 * h;
        long head = (long) vocab * h;
        long embeddingRow = tiedEmbeddings ? 0 : h;
        return layers * perLayer + h + head + embeddingRow;
    }

    public long weightBytesPerToken(int bytesPerParam) {
        return paramsReadPerToken() * bytesPerParam;
    }

    /** Decode tokens/s that memory bandwidth allows at batch 1. */
    public double boundTokensPerSecond(double bandwidthGBs, int bytesPerParam) {
        return bandwidthGBs * 1e9 / weightBytesPerToken(bytesPerParam);
    }
}
