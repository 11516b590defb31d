package dev.tandem.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.distribution.Shell.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/fetch-weights.sh with plain curl against a loopback stand-in for the Hub (HF_ENDPOINT):
 * each failure is reported as what it is — the host cannot be reached, a token is wanted or refused,
 * the repository or a file is missing — never as a missing config.json. Nothing leaves the machine.
 */
class FetchWeightsScriptTest {
    private static final String REPO = "acme/llama-tiny";
    private static final String TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345";

    /** One answer of the stand-in Hub. */
    record Answer(int status, Map<String, String> headers, String body) {
        static Answer file(String body) {
            return new Answer(200, Map.of(), body);
        }

        static Answer missingFile() {
            return new Answer(404, Map.of("X-Error-Code", "EntryNotFound", "X-Error-Message", "Entry not found"), "Entry not found");
        }
    }

    @TempDir
    Path tmp;
    HttpServer hub;
    final Map<String, Answer> files = new ConcurrentHashMap<>();
    final List<String> asked = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    Answer everyFile; // when set, the answer to every path

    @BeforeEach
    void startTheHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hub.createContext("/", this::answer);
        hub.start();
    }

    @AfterEach
    void stopTheHub() {
        hub.stop(0);
    }

    private void answer(HttpExchange ex) throws IOException {
        String prefix = "/" + REPO + "/resolve/main/";
        String path = ex.getRequestURI().getPath();
        String file = path.startsWith(prefix) ? path.substring(prefix.length()) : path;
        asked.add(file);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            authorizations.add(auth);
        }
        Answer a = everyFile != null ? everyFile : files.getOrDefault(file, Answer.missingFile());
        byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
        a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(a.status(), body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    String endpoint() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    Result fetch(String endpoint, Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put("HF_ENDPOINT", endpoint);
        all.put("FETCH_WITH", "curl");
        all.putIfAbsent("HF_TOKEN", "");
        return Shell.run(tmp, all, "bash", Shell.repositoryRoot().resolve("scripts/fetch-weights.sh").toString(),
                REPO, tmp.resolve("weights").toString());
    }

    Result fetch() throws Exception {
        return fetch(endpoint(), Map.of());
    }

    @Test
    void anUnreachableHostIsReportedAsANetworkProblemNotAMissingFile() throws Exception {
        // Given a port where nothing listens
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Result r = fetch("http://127.0.0.1:" + closed, Map.of());
        assertThat(r.status()).as(r.toString()).isEqualTo(3);
        assertThat(r.err()).contains("cannot reach http://127.0.0.1:" + closed).contains("network")
                .doesNotContain("not found").doesNotContain("is not in");
    }

    @Test
    void aGatedRepositoryWithoutATokenAsksForOne() throws Exception {
        everyFile = new Answer(401, Map.of("X-Error-Code", "GatedRepo",
                "X-Error-Message", "Access to model acme/llama-tiny is restricted. You must have access to it and be authenticated to access it."), "");
        Result r = fetch();
        assertThat(r.status()).as(r.toString()).isEqualTo(4);
        assertThat(r.err()).contains(REPO + " wants a token (HTTP 401").contains("set HF_TOKEN")
                .contains("the Hub says: Access to model acme/llama-tiny is restricted");
        assertThat(asked).containsExactly("config.json");
    }

    @Test
    void aRefusedTokenIsSaidSoWithoutShowingTheToken() throws Exception {
        everyFile = new Answer(403, Map.of("X-Error-Message", "Access to this model is forbidden"), "");
        Result r = fetch(endpoint(), Map.of("HF_TOKEN", TOKEN));
        assertThat(r.status()).as(r.toString()).isEqualTo(4);
        assertThat(r.err()).contains("refuses the token in HF_TOKEN (HTTP 403").doesNotContain(TOKEN);
        assertThat(r.out()).doesNotContain(TOKEN);
        assertThat(authorizations).containsExactly("Bearer " + TOKEN);
    }

    @Test
    void aRepositoryThatIsNotThereIsNamed() throws Exception {
        everyFile = new Answer(404, Map.of("X-Error-Code", "RepoNotFound", "X-Error-Message", "Repository not found"), "");
        Result r = fetch();
        assertThat(r.status()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains("there is no repository " + REPO + " on " + endpoint());
    }

    @Test
    void aMissingConfigIsAMissingFile() throws Exception {
        Result r = fetch();
        assertThat(r.status()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains("config.json is not in " + REPO);
        assertThat(tmp.resolve("weights/config.json")).doesNotExist();
        assertThat(tmp.resolve("weights/config.json.part")).doesNotExist();
    }

    @Test
    void anotherErrorSaysTheStatus() throws Exception {
        everyFile = new Answer(418, Map.of(), "teapot");
        Result r = fetch();
        assertThat(r.status()).as(r.toString()).isEqualTo(6);
        assertThat(r.err()).contains("answered HTTP 418 for config.json");
    }

    @Test
    void aShardedCheckpointDownloadsWithItsOptionalFilesNoted() throws Exception {
        files.put("config.json", Answer.file("{\"model_type\":\"llama\"}"));
        files.put("tokenizer.json", Answer.file("{\"model\":{}}"));
        files.put("tokenizer_config.json", Answer.file("{}"));
        files.put("model.safetensors.index.json", Answer.file(
                "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\","
                        + "\"c\":\"model-00001-of-00002.safetensors\"}}"));
        files.put("model-00001-of-00002.safetensors", Answer.file("shard one"));
        files.put("model-00002-of-00002.safetensors", Answer.file("shard two"));
        Result r = fetch();
        assertThat(r.status()).as(r.toString()).isZero();
        Path weights = tmp.resolve("weights");
        assertThat(weights.resolve("config.json")).hasContent("{\"model_type\":\"llama\"}");
        assertThat(weights.resolve("model-00002-of-00002.safetensors")).hasContent("shard two");
        assertThat(r.out()).contains("note: generation_config.json is not in " + REPO + " (optional)")
                .contains("checkpoint in " + weights);
        try (var left = Files.list(weights)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
        // And a second run keeps the complete files
        asked.clear();
        assertThat(fetch().status()).isZero();
        assertThat(asked).doesNotContain("config.json", "model-00001-of-00002.safetensors");
    }

    @Test
    void aMissingShardIsNamed() throws Exception {
        files.put("config.json", Answer.file("{}"));
        files.put("tokenizer.json", Answer.file("{}"));
        files.put("model.safetensors.index.json", Answer.file("{\"weight_map\":{\"a\":\"model-00001-of-00001.safetensors\"}}"));
        Result r = fetch();
        assertThat(r.status()).as(r.toString()).isEqualTo(5);
        assertThat(r.err()).contains("model-00001-of-00001.safetensors, named by model.safetensors.index.json, is not in " + REPO);
    }
}
