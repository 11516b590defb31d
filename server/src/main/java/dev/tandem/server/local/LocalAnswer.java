package dev.tandem.server.local;

import dev.tandem.models.Conversation;
import dev.tandem.models.GenerationEvent.TokenLogprob;
import dev.tandem.models.ToolCallSyntax;
import dev.tandem.models.ToolChoice;
import dev.tandem.models.text.ToolCallParser;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.StopReason;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the engine's text of one answer means to the caller, as internal events: plain text; a JSON
 * answer (the whitespace a constrained answer may begin with dropped, so the text is the JSON value
 * itself); or text (or such a JSON answer) and tool calls, read as they stream by the {@link ToolCallParser} of the prompt
 * format's call syntax (a call's start with its id and name, then its arguments as JSON text deltas).
 * Not thread-safe: one per answer, fed by the engine's thread.
 */
abstract sealed class LocalAnswer {

    /** Free text, as the engine writes it. */
    static LocalAnswer text() {
        return new Plain(false);
    }

    /** One JSON value. */
    static LocalAnswer json() {
        return new Plain(true);
    }

    /** Text and tool calls, written as {@code syntax} writes them. */
    static LocalAnswer toolCalls(ToolCallSyntax syntax) {
        return new Calls(syntax, false);
    }

    /** Tool calls written as {@code syntax} writes them, or else one JSON value. */
    static LocalAnswer toolCallsOrJson(ToolCallSyntax syntax) {
        return new Calls(syntax, true);
    }

    /**
     * The answer a chat request gets, as {@link LocalConstraints#of} constrains it: calls (and text, or
     * JSON for a JSON format under {@code tool_choice: auto}) when tools are offered, else JSON or text.
     */
    static LocalAnswer of(Conversation conversation, boolean json, ToolCallSyntax syntax) {
        if (!conversation.offersTools()) {
            return json ? json() : text();
        }
        return json && conversation.toolChoice().kind() == ToolChoice.Kind.AUTO ? toolCallsOrJson(syntax) : toolCalls(syntax);
    }

    /** The text one token released (possibly empty), and its logprob when asked for. */
    abstract void token(String text, TokenLogprob logprob, Consumer<InferenceEvent> out);

    /**
     * The engine ended the answer for {@code reason}: what was held back goes out, and an answer that
     * made calls and ended on its own ends for {@link StopReason#TOOL_USE}.
     */
    abstract StopReason finish(StopReason reason, Consumer<InferenceEvent> out);

    /** Drops the white space a JSON answer may begin with, so that its text is the value itself. */
    private static final class LeadingSpace {
        private boolean drop;

        LeadingSpace(boolean drop) {
            this.drop = drop;
        }

        String strip(String text) {
            if (!drop) {
                return text;
            }
            String stripped = text.stripLeading();
            drop = stripped.isEmpty();
            return stripped;
        }
    }

    private static final class Plain extends LocalAnswer {
        private final LeadingSpace leadingSpace;

        Plain(boolean json) {
            this.leadingSpace = new LeadingSpace(json);
        }

        @Override
        void token(String text, TokenLogprob logprob, Consumer<InferenceEvent> out) {
            text = leadingSpace.strip(text);
            if (!text.isEmpty() || logprob != null) {
                out.accept(new InferenceEvent.TextDelta(text, logprob));
            }
        }

        @Override
        StopReason finish(StopReason reason, Consumer<InferenceEvent> out) {
            return reason;
        }
    }

    private static final class Calls extends LocalAnswer {
        private final ToolCallParser parser;
        private final LeadingSpace leadingSpace;

        Calls(ToolCallSyntax syntax, boolean orJson) {
            this.parser = new ToolCallParser(syntax);
            this.leadingSpace = new LeadingSpace(orJson);
        }

        @Override
        void token(String text, TokenLogprob logprob, Consumer<InferenceEvent> out) {
            boolean logprobSent = emit(parser.push(text), logprob, out);
            if (!logprobSent && logprob != null) {
                out.accept(new InferenceEvent.TextDelta("", logprob)); // a token of a call, or held back: its logprob still counts
            }
        }

        @Override
        StopReason finish(StopReason reason, Consumer<InferenceEvent> out) {
            emit(parser.finish(), null, out);
            return parser.calls() > 0 && reason == StopReason.END_TURN ? StopReason.TOOL_USE : reason;
        }

        /** The parser's events as internal ones; the logprob rides on the first text. Returns whether it was sent. */
        private boolean emit(List<ToolCallParser.Event> events, TokenLogprob logprob, Consumer<InferenceEvent> out) {
            boolean sent = false;
            for (ToolCallParser.Event e : events) {
                if (e instanceof ToolCallParser.Text t) {
                    String text = leadingSpace.strip(t.text());
                    if (text.isEmpty()) {
                        continue;
                    }
                    out.accept(new InferenceEvent.TextDelta(text, sent ? null : logprob));
                    sent = logprob != null;
                } else if (e instanceof ToolCallParser.CallStart s) {
                    out.accept(new InferenceEvent.ToolCallDelta(s.index(), s.id(), s.name(), ""));
                } else if (e instanceof ToolCallParser.ArgumentsDelta d) {
                    out.accept(new InferenceEvent.ToolCallDelta(d.index(), null, null, d.delta()));
                }
                // CallEnd: its arguments have all gone out as deltas already
            }
            return sent;
        }
    }
}
