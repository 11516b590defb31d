package dev.tandem.models.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratedTokenizerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {358, 512, 32000})
    void vocabularyHasTheRequestedSizeAndEveryMergeIsConsistent(int vocabSize) {
        ObjectNode json = LlamaTokenizerJson.build(vocabSize);
        JsonNode vocab = json.path("model").path("vocab");
        assertThat(vocab.size()).isEqualTo(vocabSize);
        Set<Integer> ids = new HashSet<>();
        vocab.fields().forEachRemaining(e -> ids.add(e.getValue().intValue()));
        assertThat(ids).hasSize(vocabSize).allMatch(id -> id >= 0 && id < vocabSize);
        assertThat(vocab.path("<0x41>").intValue()).isEqualTo(3 + 0x41);
        for (JsonNode merge : json.path("model").path("merges")) {
            String[] pair = merge.asText().split(" ");
            assertThat(pair).hasSize(2);
            assertThat(vocab.has(pair[0]) && vocab.has(pair[1]) && vocab.has(pair[0] + pair[1]))
                    .as("merge %s", merge).isTrue();
        }
    }

    @Test
    void loadsInDjlAndEncodesLikeLlama() throws Exception {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, LlamaTokenizerJson.build(512).toString());
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "false"))) {
            var encoding = tokenizer.encode("Hello world é", false, false);
            System.out.println(Arrays.toString(encoding.getTokens()) + " " + Arrays.toString(encoding.getIds()));
            assertThat(encoding.getTokens()[0]).startsWith("▁");
            assertThat(encoding.getTokens()).contains("<0xC3>", "<0xA9>");
            assertThat(tokenizer.decode(encoding.getIds(), true)).isEqualTo("Hello world é");
            var withBos = tokenizer.encode("<s>[INST] hi ▁<PRE>", false, false);
            System.out.println(Arrays.toString(withBos.getTokens()));
            assertThat(withBos.getIds()[0]).isEqualTo(1);
        }
    }
}
