package dev.tandem.server.remote;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.server.core.Dialect;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * How to talk to one kind of upstream: the HTTP request for an internal request (built from typed
 * wire records), and its answer, streamed or whole, as internal events. One per upstream; it knows
 * the upstream it speaks for. The HTTP exchange, retries and the commit point are
 * {@link RemoteBackend}'s.
 */
interface WireFormat {

    /** The formats by the name {@code remotes.NAME.format} uses. */
    Map<String, Function<Upstream, WireFormat>> FORMATS = Map.of("anthropic", AnthropicWire::new, "openai", OpenAiWire::new);

    /** The names of {@link #FORMATS}, sorted. */
    List<String> NAMES = FORMATS.keySet().stream().sorted().toList();

    /** The dialect this upstream speaks: a caller of the same dialect has its passthrough fields passed on. */
    Dialect dialect();

    /** Why this upstream cannot serve {@code request} (something its API has no words for), or empty. */
    Optional<String> cannotServe(InferenceRequest request);

    /** The upstream request (URI, auth headers, JSON body) for {@code request} sent as {@code model}, streamed or asked for whole. */
    HttpRequest.Builder request(InferenceRequest request, String model, boolean stream);

    /** A translator for one attempt's stream; it emits to {@code out}. */
    StreamTranslator translator(String model, int estimatedInputTokens, Consumer<InferenceEvent> out);

    /**
     * Emits a non-streamed answer as the events its stream would have given: Started, the deltas,
     * Finished. Throws {@link UpstreamFailure} when the reply is an error or cannot be read.
     */
    void translateReply(JsonNode reply, String model, int estimatedInputTokens, Consumer<InferenceEvent> out);
}
