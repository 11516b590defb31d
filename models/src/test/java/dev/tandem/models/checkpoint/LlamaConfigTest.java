package dev.tandem.models.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LlamaConfigTest {
    /** The shape of CodeLlama-13b-Instruct-hf's config.json. */
    private static final String CODELLAMA_13B = """
            {"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
             "hidden_size": 5120, "initializer_range": 0.02, "intermediate_size": 13824,
             "max_position_embeddings": 16384, "model_type": "llama", "num_attention_heads": 40,
             "num_hidden_layers": 40, "num_key_value_heads": 40, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
             "rope_scaling": null, "rope_theta": 1000000, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
             "transformers_version": "4.32.0.dev0", "use_cache": true, "vocab_size": 32016}
            """;

    @Test
    void readsCodeLlama() {
        LlamaConfig c = LlamaConfig.parse(CODELLAMA_13B, "config.json");
        assertThat(c.hiddenSize()).isEqualTo(5120);
        assertThat(c.numKeyValueHeads()).isEqualTo(40);
        assertThat(c.headDim()).isEqualTo(128);
        assertThat(c.ropeTheta()).isEqualTo(1_000_000);
        assertThat(c.ropeScaling()).isNull();
        assertThat(c.rmsNormEps()).isEqualTo(1e-5);
        assertThat(c.vocabSize()).isEqualTo(32016);
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(c.torchDtype()).isEqualTo("bfloat16");
        assertThat(c.tieWordEmbeddings()).isFalse();
    }

    @Test
    void readsGroupedQueryAttentionTiedEmbeddingsAndAnEosList() {
        LlamaConfig c = LlamaConfig.parse("""
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 2048, "intermediate_size": 5632,
                 "num_attention_heads": 32, "num_key_value_heads": 4, "num_hidden_layers": 22,
                 "vocab_size": 32000, "tie_word_embeddings": true, "eos_token_id": [128001, 128009], "head_dim": 64}
                """, "config.json");
        assertThat(c.groupSize()).isEqualTo(8);
        assertThat(c.kvDim()).isEqualTo(256);
        assertThat(c.qDim()).isEqualTo(2048);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(c.eosTokenIds()).containsExactly(128001, 128009);
        // HF defaults for what is absent
        assertThat(c.ropeTheta()).isEqualTo(10000);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
    }

    @Test
    void kvHeadsDefaultToTheHeads() {
        LlamaConfig c = LlamaConfig.parse(minimal(""), "config.json");
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.groupSize()).isEqualTo(1);
    }

    @Test
    void readsLinearAndLlama3RopeScaling() {
        LlamaConfig linear = LlamaConfig.parse(minimal(", \"rope_scaling\": {\"type\": \"linear\", \"factor\": 4.0}"), "config.json");
        assertThat(linear.ropeScaling()).isEqualTo(RopeScaling.linear(4));
        assertThat(linear.ropeInverseFrequencies()[0]).isEqualTo(0.25);

        LlamaConfig llama3 = LlamaConfig.parse(minimal(", \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0,"
                + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}"),
                "config.json");
        assertThat(llama3.ropeScaling().type()).isEqualTo("llama3");
        assertThat(llama3.ropeScaling().originalMaxPositionEmbeddings()).isEqualTo(8192);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"architectures\": [\"GPT2LMHeadModel\"], \"hidden_size\": 64, \"intermediate_size\": 1, \"num_attention_heads\": 4, \"num_hidden_layers\": 1, \"vocab_size\": 10 | architectures",
        "\"architectures\": [\"LlamaForCausalLM\"], \"intermediate_size\": 1, \"num_attention_heads\": 4, \"num_hidden_layers\": 1, \"vocab_size\": 10 | hidden_size",
        "\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"intermediate_size\": -5, \"num_attention_heads\": 4, \"num_hidden_layers\": 1, \"vocab_size\": 10 | intermediate_size",
        "\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"intermediate_size\": 1, \"num_attention_heads\": 4, \"num_key_value_heads\": 3, \"num_hidden_layers\": 1, \"vocab_size\": 10 | num_key_value_heads",
        "\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"intermediate_size\": 1, \"num_attention_heads\": 4, \"num_hidden_layers\": 1, \"vocab_size\": 10, \"rope_scaling\": {\"type\": \"dynamic\", \"factor\": 2.0} | rope_scaling",
        "\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"intermediate_size\": 1, \"num_attention_heads\": 4, \"num_hidden_layers\": 1, \"vocab_size\": \"many\" | vocab_size",
        "\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"intermediate_size\": 1, \"num_attention_heads\": 4, \"num_hidden_layers\": 1, \"vocab_size\": 10, \"hidden_act\": \"gelu\" | hidden_act",
    })
    void badFieldsAreNamedWithTheFile(String fields, String field) {
        assertThatThrownBy(() -> LlamaConfig.parse("{" + fields + "}", "/models/x/config.json"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith("/models/x/config.json: ")
                .hasMessageContaining(field);
    }

    @Test
    void invalidJsonNamesTheFile() {
        assertThatThrownBy(() -> LlamaConfig.parse("{\"hidden_size\": ", "/m/config.json"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("/m/config.json")
                .hasMessageContaining("not valid JSON");
    }

    private static String minimal(String extra) {
        return "{\"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": 64, \"intermediate_size\": 128,"
                + " \"num_attention_heads\": 4, \"num_hidden_layers\": 2, \"vocab_size\": 512" + extra + "}";
    }
}
