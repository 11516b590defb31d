package dev.tandem.server.api.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.server.api.Completed;
import dev.tandem.server.api.Endpoint;
import dev.tandem.server.api.ErrorFormat;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Origin;
import dev.tandem.server.api.Streaming;
import dev.tandem.server.api.responses.ResponsesWire.Request;
import dev.tandem.server.api.responses.ResponsesWire.Response;
import dev.tandem.server.api.responses.ResponsesWire.Usage;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import java.util.List;

/**
 * {@code POST /v1/responses}: one internal request, whatever backend serves it. The body's fields
 * pass {@link RequestFields} first; a response the caller lets be stored ({@code store}, true by
 * default) is kept for its key before the caller sees its end.
 */
public final class Responses implements Endpoint<ObjectNode> {
    private final int defaultMaxTokens;
    private final StoredResponses stored;

    /** @param defaultMaxTokens max_output_tokens when the client sends none */
    public Responses(int defaultMaxTokens, StoredResponses stored) {
        this.defaultMaxTokens = defaultMaxTokens;
        this.stored = stored;
    }

    @Override
    public Class<ObjectNode> wireType() {
        return ObjectNode.class;
    }

    @Override
    public ErrorFormat errors() {
        return ErrorFormat.OPENAI;
    }

    @Override
    public Exchange prepare(ObjectNode body, Origin origin) {
        RequestFields.check(body);
        Request wire = Json.convert(body, Request.class);
        String owner = origin.caller().keyId();
        ResponseRequests.Conversation conversation = ResponseRequests.conversation(wire, owner, stored);
        ResponseTools tools = ResponseTools.of(wire.tools(), wire.toolChoice(), wire.parallelToolCalls());
        InferenceRequest request = ResponseRequests.toInference(wire, conversation, tools, origin, defaultMaxTokens);
        ResponseEcho echo = new ResponseEcho(ResponseItems.newId("resp_"), System.currentTimeMillis() / 1000, wire,
                !Boolean.FALSE.equals(wire.store()));
        return new ResponseExchange(echo, request, tools, conversation.own(), owner, stored);
    }

    private record ResponseExchange(ResponseEcho echo, InferenceRequest request, ResponseTools tools, List<ResponsesWire.Item> input,
            String owner, StoredResponses stored) implements Exchange {
        @Override
        public List<InferenceRequest> requests() {
            return List.of(request);
        }

        @Override
        public Streaming.Format streamFormat() {
            return new ResponseStream(echo, new ResponseOutput(tools.custom()), this::keep);
        }

        @Override
        public Object body(List<Completed> done) {
            Completed c = done.get(0);
            InferenceEvent.Finished f = c.finished();
            ResponseOutput output = ResponseOutput.of(tools.custom(), c.text(), c.toolCalls());
            Response response = echo.finished(output.items(f.reason()), Usage.of(f.usage().inputTokens(), f.usage().outputTokens()),
                    ResponseOutput.incomplete(f.reason()));
            keep(response);
            return response;
        }

        private void keep(Response response) {
            if (echo.store()) {
                stored.save(owner, response, input);
            }
        }
    }
}
