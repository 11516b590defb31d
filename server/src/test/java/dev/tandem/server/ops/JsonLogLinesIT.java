package dev.tandem.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.ops.keys.KeySpec;
import dev.tandem.server.ops.keys.SqliteKeyStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code logging.format: json}, every line the real server ({@link dev.tandem.server.Main} in a child JVM)
 * prints from start to stop, stdout and stderr together, is one JSON object: the start-up (configuration,
 * weights, KV cache, warm-up, banner), served and refused requests at DEBUG, and the shutdown.
 */
class JsonLogLinesIT {
    private static final String MASTER = "master-for-the-json-log-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyLineFromStartToStopIsOneJsonObject() throws Exception {
        // Given the server started with JSON logs at DEBUG
        Path config = ChildServer.writeConfig(dir, MASTER, """
                ledger: {database: "%s"}
                logging: {format: json, level: debug}
                """.formatted(dir.resolve("tandem.db")));
        String secret;
        try (SqliteKeyStore keys = new SqliteKeyStore(dir.resolve("tandem.db"))) {
            secret = keys.create(KeySpec.builder("json-logs").build()).secret();
        }
        ChildServer server = ChildServer.start(config, dir);
        try {
            // When it serves a request, refuses one without a key and one that is not JSON, and is stopped
            HttpClient http = HttpClient.newHttpClient();
            assertThat(send(http, server, "Bearer " + secret, "{\"model\":\"tiny\",\"max_tokens\":4,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
            assertThat(send(http, server, null, "{\"model\":\"tiny\",\"messages\":[]}").statusCode()).isEqualTo(401);
            assertThat(send(http, server, "Bearer " + secret, "{not json").statusCode()).isEqualTo(400);
        } finally {
            server.process().destroy(); // SIGTERM: the shutdown hook runs
            assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).as("the server stops").isTrue();
        }

        // Then every line it printed is a JSON object with a level and a message
        List<String> lines = Files.readAllLines(server.out(), StandardCharsets.UTF_8);
        List<String> notJson = new ArrayList<>();
        for (String line : lines) {
            JsonNode node = parse(line);
            if (node == null || !node.isObject() || !node.has("level") || !node.has("formattedMessage")) {
                notJson.add(line);
            }
        }
        assertThat(notJson).as("lines that are not one JSON object, of %d", lines.size()).isEmpty();
        // from start to stop, with the request id under the README's name
        assertThat(lines).anyMatch(l -> l.contains("listening on")).anyMatch(l -> l.contains("\"request_id\":\"json-log-"));
        assertThat(parse(lines.get(lines.size() - 1)).path("formattedMessage").asText()).isEqualTo("Tandem stopped");
    }

    private static HttpResponse<String> send(HttpClient http, ChildServer server, String authorization, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("content-type", "application/json").header("x-request-id", "json-log-" + System.nanoTime())
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }
}
