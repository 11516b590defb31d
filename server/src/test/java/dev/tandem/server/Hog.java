package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A streamed completion that holds one engine slot until the test closes it: {@code ignore_eos} and as many
 * tokens as the window holds, on a model whose window no test outlives ({@link TestServer#hogContext()}), so
 * that a test that needs a busy engine never depends on how fast the machine generates. Closing it is the
 * client going away (the engine cancels the generation at its next step).
 */
public final class Hog implements AutoCloseable {
    private final HttpResponse<InputStream> response;
    private final BufferedReader reader;

    private Hog(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    /**
     * Starts the hog and returns once its first token has streamed (it holds a slot then).
     *
     * @param headers extra request headers, name then value (a key, an x-request-id)
     */
    public static Hog start(TestServer server, String... headers) {
        int window = server.engine().model().contextLength();
        assertThat(window).as("a hog needs TestServer.hogContext()").isGreaterThanOrEqualTo(65_536);
        // the prompt "x" is a few tokens: the rest of the window is the hog's
        String body = "{\"model\":\"" + TestServer.MODEL + "\",\"prompt\":\"x\",\"max_tokens\":" + (window - 16)
                + ",\"ignore_eos\":true,\"stream\":true}";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        Hog hog;
        try {
            hog = new Hog(server.http().send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(hog.response.statusCode()).as("the hog's status").isEqualTo(200);
        hog.awaitFrames(1);
        return hog;
    }

    /** Reads until {@code n} more data frames of the stream have come (the hog is generating). */
    public void awaitFrames(int n) {
        try {
            for (int frames = 0; frames < n; ) {
                String line = reader.readLine();
                assertThat(line).as("the hog's stream ended").isNotNull();
                if (line.startsWith("data: ")) {
                    assertThat(line).as("the hog's stream").doesNotContain("[DONE]").doesNotContain("\"error\"");
                    frames++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The client goes away. */
    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
