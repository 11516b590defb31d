package dev.tandem.server.api.responses;

import dev.tandem.server.api.ErrorFormat;
import dev.tandem.server.api.Json;
import dev.tandem.server.api.Sse;
import dev.tandem.server.api.Streaming;
import dev.tandem.server.api.responses.ResponseOutput.Kind;
import dev.tandem.server.api.responses.ResponseOutput.Open;
import dev.tandem.server.api.responses.ResponsesWire.ArgumentsDelta;
import dev.tandem.server.api.responses.ResponsesWire.ArgumentsDone;
import dev.tandem.server.api.responses.ResponsesWire.CustomInputDone;
import dev.tandem.server.api.responses.ResponsesWire.IncompleteDetails;
import dev.tandem.server.api.responses.ResponsesWire.ItemEvent;
import dev.tandem.server.api.responses.ResponsesWire.OutputText;
import dev.tandem.server.api.responses.ResponsesWire.PartEvent;
import dev.tandem.server.api.responses.ResponsesWire.Response;
import dev.tandem.server.api.responses.ResponsesWire.ResponseEvent;
import dev.tandem.server.api.responses.ResponsesWire.TextDelta;
import dev.tandem.server.api.responses.ResponsesWire.TextDone;
import dev.tandem.server.api.responses.ResponsesWire.Usage;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.InferenceEvent;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Responses API's stream, in the order the SDKs check: {@code response.created} and
 * {@code response.in_progress} first; each item announced ({@code output_item.added}, a message's
 * {@code content_part.added}) before its deltas; each finished ({@code output_text.done},
 * {@code content_part.done} / {@code function_call_arguments.done}, {@code output_item.done}); then
 * {@code response.completed} (or {@code response.incomplete}) with the whole response and its usage,
 * and nothing after it. Every event has {@code event:} and {@code data:} lines and the next
 * {@code sequence_number}, from 0. A failure after the start ends it with {@code response.failed},
 * whose error code Codex reads (no event carries a top-level {@code error} key: the SDKs throw on one).
 * The response is stored (when asked) before {@code response.completed} leaves, so a client that
 * continues at once finds it.
 */
final class ResponseStream implements Streaming.Format {
    private static final List<Object> NO_LOGPROBS = List.of();

    private final ResponseEcho echo;
    private final ResponseOutput output;
    private final Consumer<Response> onFinished;
    private int sequence;

    /** @param onFinished takes the finished response before the client sees it (to store it) */
    ResponseStream(ResponseEcho echo, ResponseOutput output, Consumer<Response> onFinished) {
        this.echo = echo;
        this.output = output;
        this.onFinished = onFinished;
    }

    @Override
    public void begin(Sse out, InferenceEvent.Started first) throws IOException {
        Response response = echo.inProgress();
        send(out, new ResponseEvent("response.created", sequence++, response));
        send(out, new ResponseEvent("response.in_progress", sequence++, response));
    }

    @Override
    public void event(Sse out, int index, InferenceEvent event) throws IOException {
        if (event instanceof InferenceEvent.TextDelta d && !d.text().isEmpty()) {
            Open message = output.message() != null ? output.message() : openMessage(out);
            message.text.append(d.text());
            send(out, new TextDelta("response.output_text.delta", sequence++, message.id, message.index, 0, d.text(), NO_LOGPROBS));
        } else if (event instanceof InferenceEvent.ToolCallDelta d) {
            Open call = output.call(d.index());
            if (call == null) {
                for (Open before : output.all()) { // what came before a new call is whole: items finish in order
                    if (before.status() == null) {
                        close(out, before, "completed");
                    }
                }
                call = output.openCall(d.index(), d.id(), d.name());
                send(out, new ItemEvent("response.output_item.added", sequence++, call.index, call.item("in_progress")));
            }
            String part = d.argumentsJsonPart();
            if (part != null && !part.isEmpty()) {
                call.text.append(part);
                // a freeform input is known once its JSON is whole; a call already finished (an upstream that
                // interleaves calls) keeps the part for the whole response only
                if (call.kind == Kind.FUNCTION_CALL && call.status() == null) {
                    send(out, new ArgumentsDelta("response.function_call_arguments.delta", sequence++, call.id, call.index, part));
                }
            }
        } else if (event instanceof InferenceEvent.Finished f) {
            finish(out, f);
        }
    }

    private Open openMessage(Sse out) throws IOException {
        Open message = output.openMessage();
        send(out, new ItemEvent("response.output_item.added", sequence++, message.index, message.item("in_progress")));
        send(out, new PartEvent("response.content_part.added", sequence++, message.id, message.index, 0, new OutputText("")));
        return message;
    }

    private void finish(Sse out, InferenceEvent.Finished f) throws IOException {
        IncompleteDetails incomplete = ResponseOutput.incomplete(f.reason());
        String status = incomplete == null ? "completed" : "incomplete";
        if (output.all().isEmpty()) {
            openMessage(out); // an empty answer is one empty message, as the whole response has it
        }
        for (Open open : output.all()) {
            if (open.status() == null) {
                close(out, open, status);
            }
        }
        Response response = echo.finished(output.items(f.reason()),
                Usage.of(f.usage().inputTokens(), f.usage().outputTokens()), incomplete);
        onFinished.accept(response);
        send(out, new ResponseEvent(incomplete == null ? "response.completed" : "response.incomplete", sequence++, response));
    }

    private void close(Sse out, Open open, String status) throws IOException {
        open.close(status);
        switch (open.kind) {
            case MESSAGE -> {
                String text = open.text.toString();
                send(out, new TextDone("response.output_text.done", sequence++, open.id, open.index, 0, text, NO_LOGPROBS));
                send(out, new PartEvent("response.content_part.done", sequence++, open.id, open.index, 0, new OutputText(text)));
            }
            case FUNCTION_CALL -> send(out, new ArgumentsDone("response.function_call_arguments.done", sequence++, open.id,
                    open.index, open.name, open.text.toString()));
            case CUSTOM_TOOL_CALL -> {
                String input = open.customInput();
                if (!input.isEmpty()) {
                    send(out, new ArgumentsDelta("response.custom_tool_call_input.delta", sequence++, open.id, open.index, input));
                }
                send(out, new CustomInputDone("response.custom_tool_call_input.done", sequence++, open.id, open.index, input));
            }
        }
        send(out, new ItemEvent("response.output_item.done", sequence++, open.index, open.item(status)));
    }

    @Override
    public void ping(Sse out) throws IOException {
        out.comment("ping");
    }

    @Override
    public void end(Sse out) {}

    @Override
    public void failed(Sse out, ApiException error, ErrorFormat errors) throws IOException {
        send(out, new ResponseEvent("response.failed", sequence++, echo.failed(output.snapshot(), ResponseErrors.of(error))));
    }

    private static void send(Sse out, ResponsesWire.Event event) throws IOException {
        out.event(event.type(), Json.write(event));
    }
}
