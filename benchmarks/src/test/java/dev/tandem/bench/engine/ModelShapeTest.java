package dev.tandem.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelShapeTest {

    @Test
    void the110MShapeReads438MegabytesOfFloat32PerToken(@TempDir Path dir) throws Exception {
        // Given the 110M benchmark shape's config.json (untied head, no GQA)
        Files.writeString(dir.resolve("config.json"), """
                {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
                 "num_key_value_heads": 12, "intermediate_size": 2048, "vocab_size": 32000,
                 "tie_word_embeddings": false}""");
        ModelShape shape = ModelShape.read(dir);
        // Then: 12 × (4·768² + 3·768·2048 + 2·768) + 768 + 32000·768 + 768 parameters
        long perLayer = 4L * 768 * 768 + 3L * 768 * 2048 + 2 * 768;
        assertThat(perLayer).isEqualTo(7_079_424);
        assertThat(shape.paramsReadPerToken()).isEqualTo(12 * perLayer + 768 + 32_000L * 768 + 768).isEqualTo(109_530_624);
        assertThat(shape.weightBytesPerToken(4)).isEqualTo(438_122_496);
        // and at 26 GB/s the bound is about 59 tokens/s
        assertThat(shape.boundTokensPerSecond(26, 4)).isBetween(59.0, 60.0);
    }

    @Test
    void groupedQueryAttentionAndTiedEmbeddingsReadLess(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("config.json"), """
                {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 300,
                 "tie_word_embeddings": true}""");
        ModelShape shape = ModelShape.read(dir);
        long perLayer = 2L * 64 * 64 + 2L * 64 * 32 + 3L * 64 * 128 + 2 * 64;
        assertThat(shape.paramsReadPerToken()).isEqualTo(2 * perLayer + 64 + 300L * 64);
    }
}
