package dev.tandem.models.llama;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Throwaway: writes a tiny random F32 Llama checkpoint (until the shared generator lands). */
final class MiniCheckpoint {
    static Path write(Path dir, int hidden, int heads, int kvHeads, int layers, int ffn, int vocab, double theta, long seed)
            throws IOException {
        Random r = new Random(seed);
        int hd = hidden / heads;
        Map<String, float[]> t = new LinkedHashMap<>();
        Map<String, long[]> s = new LinkedHashMap<>();
        put(t, s, "model.embed_tokens.weight", new long[] {vocab, hidden}, r, 1);
        for (int i = 0; i < layers; i++) {
            String p = "model.layers." + i + ".";
            put(t, s, p + "input_layernorm.weight", new long[] {hidden}, r, -1);
            put(t, s, p + "self_attn.q_proj.weight", new long[] {heads * hd, hidden}, r, 0.3);
            put(t, s, p + "self_attn.k_proj.weight", new long[] {kvHeads * hd, hidden}, r, 0.3);
            put(t, s, p + "self_attn.v_proj.weight", new long[] {kvHeads * hd, hidden}, r, 0.3);
            put(t, s, p + "self_attn.o_proj.weight", new long[] {hidden, heads * hd}, r, 0.3);
            put(t, s, p + "post_attention_layernorm.weight", new long[] {hidden}, r, -1);
            put(t, s, p + "mlp.gate_proj.weight", new long[] {ffn, hidden}, r, 0.3);
            put(t, s, p + "mlp.up_proj.weight", new long[] {ffn, hidden}, r, 0.3);
            put(t, s, p + "mlp.down_proj.weight", new long[] {hidden, ffn}, r, 0.3);
        }
        put(t, s, "model.norm.weight", new long[] {hidden}, r, -1);
        put(t, s, "lm_head.weight", new long[] {vocab, hidden}, r, 0.3);
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (var e : t.entrySet()) {
            long bytes = e.getValue().length * 4L;
            if (header.length() > 1) header.append(',');
            header.append('"').append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(java.util.Arrays.toString(s.get(e.getKey()))).append(",\"data_offsets\":[")
                    .append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate((int) (8 + h.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h);
        for (float[] v : t.values()) for (float f : v) out.putFloat(f);
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.safetensors"), out.array());
        Files.writeString(dir.resolve("config.json"), "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\","
                + "\"hidden_size\":" + hidden + ",\"intermediate_size\":" + ffn + ",\"num_attention_heads\":" + heads
                + ",\"num_key_value_heads\":" + kvHeads + ",\"num_hidden_layers\":" + layers + ",\"rms_norm_eps\":1e-5,"
                + "\"rope_theta\":" + theta + ",\"max_position_embeddings\":128,\"vocab_size\":" + vocab
                + ",\"tie_word_embeddings\":false,\"bos_token_id\":1,\"eos_token_id\":2}");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        return dir;
    }

    private static void put(Map<String, float[]> t, Map<String, long[]> s, String name, long[] shape, Random r, double scale) {
        long n = 1;
        for (long d : shape) n *= d;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = scale < 0 ? (float) (1 + 0.1 * r.nextGaussian()) : (float) (scale * r.nextGaussian());
        t.put(name, v);
        s.put(name, shape);
    }
}
