package dev.tandem.models.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.models.ToolCallSyntax;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns a model's output, as it streams, into text and tool calls: text deltas until the syntax's
 * start marker (a text that might be the start of the marker is held back until it is known not to
 * be), then per call its start (id, name), its arguments as deltas of JSON text, and its end. The
 * marker itself is never released as text. Whatever the split of the output into pushes, the events
 * carry the same text, the same calls and the same argument text. Not thread-safe: one per output.
 *
 * <p>A call object is {@code {"name": "…", "arguments": {…}}} ({@code "parameters"} is read as
 * arguments too; arguments written as a JSON string are unquoted; keys in either order). Other keys are
 * skipped. Output that breaks the syntax after the marker is released as text.
 */
public final class ToolCallParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** What the output says, in order. */
    public sealed interface Event {}

    /** Plain text of the answer. */
    public record Text(String text) implements Event {}

    /** Call {@code index} (0, 1, … in the output) begins. */
    public record CallStart(int index, String id, String name) implements Event {}

    /** More of call {@code index}'s arguments (JSON text). */
    public record ArgumentsDelta(int index, String delta) implements Event {}

    /** Call {@code index} is complete; {@code arguments} is all of its argument text. */
    public record CallEnd(int index, String arguments) implements Event {}

    private enum Mode { TEXT, BEFORE_LIST, BEFORE_CALL, IN_CALL, AFTER_CALL, BEFORE_END, AFTER_LIST }

    private final ToolCallSyntax syntax;
    private final Supplier<String> ids;
    private final List<Event> out = new ArrayList<>();
    private final StringBuilder held = new StringBuilder(); // text that may be the start of a marker
    private Mode mode = Mode.TEXT;
    private int calls;
    private Call call;

    /** Call ids are {@code call_} and 24 random letters and digits. */
    public ToolCallParser(ToolCallSyntax syntax) {
        this(syntax, ToolCallParser::randomId);
    }

    public ToolCallParser(ToolCallSyntax syntax, Supplier<String> ids) {
        this.syntax = Objects.requireNonNull(syntax, "syntax");
        this.ids = Objects.requireNonNull(ids, "ids");
    }

    public static String randomId() {
        StringBuilder sb = new StringBuilder("call_");
        for (int i = 0; i < 24; i++) {
            sb.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return sb.toString();
    }

    /** The events {@code text} (the next piece of output) completes. */
    public List<Event> push(String text) {
        for (int i = 0; i < text.length(); i++) {
            feed(text.charAt(i));
        }
        return drain();
    }

    /** The output ended: releases what was held back (an unfinished call's text is released as text). */
    public List<Event> finish() {
        if (mode == Mode.TEXT) {
            text(held.toString());
        } else if (mode == Mode.IN_CALL) {
            text(call.raw.toString());
        }
        held.setLength(0);
        mode = Mode.AFTER_LIST;
        return drain();
    }

    /** Calls seen so far. */
    public int calls() {
        return calls;
    }

    /** The events gathered, adjacent text deltas and adjacent argument deltas joined. */
    private List<Event> drain() {
        List<Event> events = new ArrayList<>();
        for (Event e : out) {
            Event last = events.isEmpty() ? null : events.get(events.size() - 1);
            if (e instanceof Text t && last instanceof Text l) {
                events.set(events.size() - 1, new Text(l.text() + t.text()));
            } else if (e instanceof ArgumentsDelta d && last instanceof ArgumentsDelta l && l.index() == d.index()) {
                events.set(events.size() - 1, new ArgumentsDelta(d.index(), l.delta() + d.delta()));
            } else {
                events.add(e);
            }
        }
        out.clear();
        return events;
    }

    private void text(String s) {
        if (!s.isEmpty()) {
            out.add(new Text(s));
        }
    }

    private void feed(char c) {
        switch (mode) {
            case TEXT -> {
                held.append(c);
                String marker = syntax.start();
                int at = held.indexOf(marker);
                if (at >= 0) {
                    text(held.substring(0, at));
                    held.delete(0, at + marker.length());
                    mode = syntax.end() == null ? Mode.BEFORE_LIST : Mode.BEFORE_CALL;
                    String rest = held.toString();
                    held.setLength(0);
                    for (int i = 0; i < rest.length(); i++) {
                        feed(rest.charAt(i));
                    }
                    return;
                }
                int keep = longestMarkerPrefixAtEnd(held, marker);
                text(held.substring(0, held.length() - keep));
                held.delete(0, held.length() - keep);
            }
            case BEFORE_LIST -> {
                if (c == '[') {
                    mode = Mode.BEFORE_CALL;
                } else if (!Character.isWhitespace(c)) {
                    broken(c);
                }
            }
            case BEFORE_CALL -> {
                if (c == '{') {
                    call = new Call(calls++);
                    call.raw.append(c);
                    call.depth = 1;
                    mode = Mode.IN_CALL;
                } else if (c == ']' && syntax.end() == null) {
                    mode = Mode.AFTER_LIST;
                } else if (!Character.isWhitespace(c)) {
                    broken(c);
                }
            }
            case IN_CALL -> {
                call.feed(c);
                if (call.depth == 0) {
                    call.end();
                    mode = syntax.end() == null ? Mode.AFTER_CALL : Mode.BEFORE_END;
                }
            }
            case AFTER_CALL -> {
                if (c == ',') {
                    mode = Mode.BEFORE_CALL;
                } else if (c == ']') {
                    mode = Mode.AFTER_LIST;
                } else if (!Character.isWhitespace(c)) {
                    broken(c);
                }
            }
            case BEFORE_END -> {
                held.append(c);
                String end = syntax.end();
                String trimmed = held.toString().stripLeading();
                if (trimmed.equals(end)) {
                    held.setLength(0);
                    mode = Mode.TEXT;
                } else if (!trimmed.isEmpty() && !end.startsWith(trimmed)) {
                    String rest = held.toString();
                    held.setLength(0);
                    mode = Mode.TEXT; // no end marker: what follows is text again
                    for (int i = 0; i < rest.length(); i++) {
                        feed(rest.charAt(i));
                    }
                }
            }
            default -> text(String.valueOf(c)); // after the list: anything more is text
        }
    }

    /** After the marker, something that is not a call: the rest is text. */
    private void broken(char c) {
        mode = Mode.AFTER_LIST;
        text(String.valueOf(c));
    }

    private static int longestMarkerPrefixAtEnd(CharSequence s, String marker) {
        for (int k = Math.min(marker.length() - 1, s.length()); k > 0; k--) {
            if (marker.regionMatches(0, s.toString(), s.length() - k, k)) {
                return k;
            }
        }
        return 0;
    }

    /** One call object, read a character at a time. */
    private final class Call {
        final int index;
        final StringBuilder raw = new StringBuilder();
        int depth;
        boolean inString;
        boolean escaped;
        // the key being read at depth 1, the key whose value is being read, and that value's text
        StringBuilder key;
        String lastKey;
        String valueKey;
        StringBuilder value;
        int valueDepth;
        boolean valueIsString;
        String name;
        StringBuilder arguments;       // argument text released so far (or held while the name is unknown)
        int argumentsReleased;
        boolean started;

        Call(int index) {
            this.index = index;
        }

        void feed(char c) {
            raw.append(c);
            if (value != null) {
                readValue(c);
                return;
            }
            if (inString) {
                if (closesString(c)) {
                    inString = false;
                    lastKey = unquote("\"" + key + "\"");
                } else {
                    key.append(c);
                }
                return;
            }
            switch (c) {
                case '"' -> {
                    inString = true;
                    key = new StringBuilder();
                }
                case ':' -> {
                    valueKey = lastKey;
                    value = new StringBuilder();
                    valueDepth = 0;
                }
                case '}' -> depth--;
                default -> { }
            }
        }

        /** Inside a string: true when {@code c} is its closing quote. */
        private boolean closesString(char c) {
            if (escaped) {
                escaped = false;
                return false;
            }
            if (c == '\\') {
                escaped = true;
                return false;
            }
            return c == '"';
        }

        /** A value at depth 1: its text is gathered (and, for the arguments, released) until it ends. */
        private void readValue(char c) {
            if (value.length() == 0 && valueDepth == 0 && Character.isWhitespace(c)) {
                return; // before the value
            }
            boolean firstChar = value.length() == 0;
            if (firstChar) {
                valueIsString = c == '"';
            }
            boolean ends = false;
            if (inString) {
                if (closesString(c)) {
                    inString = false;
                    ends = valueDepth == 0;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                valueDepth++;
            } else if (c == '}' || c == ']') {
                if (valueDepth == 0) {
                    // a scalar ended by the object's close
                    finishValue();
                    depth--;
                    return;
                }
                valueDepth--;
                ends = valueDepth == 0;
            } else if (c == ',' && valueDepth == 0) {
                finishValue();
                return;
            }
            value.append(c);
            if (isArguments() && !valueIsString) {
                release();
            }
            if (ends) {
                finishValue();
            }
        }

        private boolean isArguments() {
            return "arguments".equals(valueKey) || "parameters".equals(valueKey);
        }

        private void finishValue() {
            String text = value.toString().strip();
            if ("name".equals(valueKey)) {
                name = valueIsString ? unquote(text) : text;
                announce();
            } else if (isArguments()) {
                if (valueIsString) {
                    arguments = new StringBuilder(unquote(text));
                    release();
                } else {
                    arguments = new StringBuilder(text);
                    release();
                }
            }
            value = null;
            valueKey = null;
        }

        /** Argument text not yet released goes out, once the call has started. */
        private void release() {
            if (arguments == null) {
                arguments = new StringBuilder();
            }
            if (value != null && !valueIsString) {
                arguments.setLength(0);
                arguments.append(value);
            }
            if (started && arguments.length() > argumentsReleased) {
                out.add(new ArgumentsDelta(index, arguments.substring(argumentsReleased)));
                argumentsReleased = arguments.length();
            }
        }

        private void announce() {
            if (!started) {
                started = true;
                out.add(new CallStart(index, ids.get(), name));
                if (arguments != null) {
                    release();
                }
            }
        }

        void end() {
            if (!started) {
                name = name == null ? "" : name;
                announce();
            }
            if (arguments == null) {
                arguments = new StringBuilder("{}");
                release();
            }
            out.add(new CallEnd(index, arguments.toString()));
        }
    }

    private static String unquote(String quoted) {
        try {
            return JSON.readValue(quoted, String.class);
        } catch (JsonProcessingException e) {
            return quoted;
        }
    }
}
