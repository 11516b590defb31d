package dev.tandem.models.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a checkpoint can be broken ends in a CheckpointException that says which file and tensor. */
class BadCheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path weights() {
        return dir.resolve("model.safetensors");
    }

    private void openAndValidate() {
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            checkpoint.validate();
        }
    }

    @Test
    void missingConfig() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        Files.delete(dir.resolve("config.json"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.resolve("config.json").toString()).hasMessageContaining("missing");
    }

    @Test
    void missingTokenizer() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        Files.delete(dir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }

    @Test
    void unknownArchitecture() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        editJson(dir.resolve("config.json"), c -> c.putArray("architectures").add("MixtralForCausalLM"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json").hasMessageContaining("architectures")
                .hasMessageContaining("MixtralForCausalLM");
    }

    @Test
    void wrongTensorShape() throws IOException {
        // Given weights written for intermediate size 128 but a config that says 96
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        editJson(dir.resolve("config.json"), c -> c.put("intermediate_size", 96));
        assertThatThrownBy(this::openAndValidate).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(weights().toString())
                .hasMessageContaining("'model.layers.0.mlp.gate_proj.weight' has shape [128, 64]")
                .hasMessageContaining("[96, 64]");
    }

    @Test
    void missingTensor() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        editHeader(weights(), h -> h.remove("model.layers.1.self_attn.v_proj.weight"));
        assertThatThrownBy(this::openAndValidate).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(weights().toString())
                .hasMessageContaining("'model.layers.1.self_attn.v_proj.weight' is missing");
    }

    @Test
    void truncatedShard() throws IOException {
        // Given a 3-shard checkpoint whose last shard lost its last 100 bytes
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withShards(3));
        Path last = dir.resolve("model-00003-of-00003.safetensors");
        try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 100);
        }
        assertThatThrownBy(this::openAndValidate).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(last.toString())
                .hasMessageContaining("'lm_head.weight'")
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedInsideTheHeader() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        try (FileChannel channel = FileChannel.open(weights(), StandardOpenOption.WRITE)) {
            channel.truncate(20);
        }
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(weights().toString()).hasMessageContaining("truncated");
    }

    @Test
    void unsupportedDtype() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        editHeader(weights(), h -> ((ObjectNode) h.get("model.layers.1.mlp.up_proj.weight")).put("dtype", "I8"));
        assertThatThrownBy(this::openAndValidate).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(weights().toString())
                .hasMessageContaining("'model.layers.1.mlp.up_proj.weight'")
                .hasMessageContaining("unsupported dtype I8");
    }

    @Test
    void offsetsThatDisagreeWithTheShape() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        editHeader(weights(), h -> ((ObjectNode) h.get("model.norm.weight")).putArray("shape").add(65));
        assertThatThrownBy(this::openAndValidate).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(weights().toString())
                .hasMessageContaining("'model.norm.weight'")
                .hasMessageContaining("data_offsets");
    }

    @Test
    void corruptHeaderJson() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        try (FileChannel channel = FileChannel.open(weights(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("{\"x\": [}".getBytes(StandardCharsets.UTF_8)), 8);
        }
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(weights().toString())
                .hasMessageContaining("corrupt safetensors header JSON");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        try (FileChannel channel = FileChannel.open(weights(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE), 0);
        }
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(weights().toString()).hasMessageContaining("header length");
    }

    @Test
    void shardListedInTheIndexIsMissing() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withShards(2));
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("model-00002-of-00002.safetensors")
                .hasMessageContaining("model.safetensors.index.json");
    }

    @Test
    void noWeightsAtAll() throws IOException {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        Files.delete(weights());
        assertThatThrownBy(() -> Checkpoint.open(dir)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("safetensors");
    }

    @Test
    void unindexedSafetensorsFilesAreTolerated() throws IOException {
        // Given a sharded checkpoint whose index was lost
        CheckpointGenerator.write(dir, GeneratorOptions.tiny().withShards(3));
        Files.delete(dir.resolve("model.safetensors.index.json"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            checkpoint.validate();
            assertThat(checkpoint.weightFiles()).hasSize(3);
        }
    }

    @Test
    void aClosedCheckpointRefusesToMapTensors() {
        CheckpointGenerator.write(dir, GeneratorOptions.tiny());
        Checkpoint checkpoint = Checkpoint.open(dir);
        checkpoint.close();
        assertThatThrownBy(() -> checkpoint.tensor("model.norm.weight")).isInstanceOf(IllegalStateException.class);
    }

    private static void editJson(Path file, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode node = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(node);
        Files.writeString(file, JSON.writeValueAsString(node));
    }

    /** Rewrites a safetensors header in place of the old one, keeping the data bytes as they are. */
    private static void editHeader(Path file, Consumer<ObjectNode> edit) throws IOException {
        byte[] all = Files.readAllBytes(file); // a tiny test file
        long headerLength = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(new String(all, 8, (int) headerLength, StandardCharsets.UTF_8));
        edit.accept(header);
        byte[] json = JSON.writeValueAsBytes(header);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + all.length - 8 - (int) headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(all, 8 + (int) headerLength, all.length - 8 - (int) headerLength);
        Files.write(file, out.array());
    }
}
