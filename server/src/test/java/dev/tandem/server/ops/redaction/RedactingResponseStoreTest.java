package dev.tandem.server.ops.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.core.ResponseStore;
import dev.tandem.server.core.StoredResponse;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.ops.responses.ResponsesConfig;
import dev.tandem.server.ops.responses.SqliteResponseStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the response store keeps has its secrets masked, in every text of every document; ids stay as they are. */
class RedactingResponseStoreTest {
    @TempDir
    Path dir;

    @Test
    void noPlantedSecretReachesTheDatabaseFile() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> secrets = PlantedSecrets.fresh();
        String document = PlantedSecrets.document(secrets);
        Path db = dir.resolve("tandem.db");
        // Given a response whose input, tool arguments and output hold a secret of each kind
        String response = json.writeValueAsString(Map.of("id", "resp_1", "output", List.of(Map.of("type", "message",
                "content", List.of(Map.of("type", "output_text", "text", "You sent: " + document))))));
        String input = json.writeValueAsString(Map.of("id", "msg_1", "role", "user",
                "content", List.of(Map.of("type", "input_text", "text", document))));
        String randomLookingId = "call_q8ZAbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
        String call = json.writeValueAsString(Map.of("id", "fc_1", "call_id", randomLookingId,
                "arguments", json.writeValueAsString(Map.of("config", document))));
        try (ResponseStore store = new RedactingResponseStore(new SqliteResponseStore(db, "NORMAL", new ResponsesConfig(10, 1),
                Clock.systemUTC()), Redactor.fromConfig(Defaults.CONFIG.redaction()))) {
            store.put(new StoredResponse("resp_1", "key-a", response, List.of(new StoredResponse.Item("msg_1", input)),
                    List.of(new StoredResponse.Item("fc_1", call))));

            // Then what comes back is masked, ids kept (even one random enough to pass for a secret)
            StoredResponse back = store.get("key-a", "resp_1").orElseThrow();
            assertThat(json.readTree(back.response()).path("id").asText()).isEqualTo("resp_1");
            assertThat(back.response()).contains("[REDACTED:");
            assertThat(json.readTree(back.input().get(0).json()).path("id").asText()).isEqualTo("msg_1");
            assertThat(back.input().get(0).json()).contains("[REDACTED:");
            assertThat(json.readTree(back.output().get(0).json()).path("call_id").asText()).isEqualTo(randomLookingId);
            assertThat(back.output().get(0).json()).contains("[REDACTED:");
        }
        // And the database file and its WAL hold none of the secrets
        StringBuilder bytes = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                bytes.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            for (String line : secret.getValue().split("\n")) {
                if (line.length() > 12) {
                    assertThat(bytes.toString()).as(secret.getKey()).doesNotContain(line);
                }
            }
        }
    }
}
