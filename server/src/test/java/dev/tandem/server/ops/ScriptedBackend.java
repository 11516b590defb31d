package dev.tandem.server.ops;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.PromptTokens;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A backend for component tests: answers each request with the events a script gives, on the
 * caller's thread, and remembers what it was asked. A script may hold back its terminal event
 * ({@link #holdOpen}) so tests can cancel mid-way.
 */
public final class ScriptedBackend implements Backend {
    private final String name;
    private final Function<InferenceRequest, List<InferenceEvent>> script;
    private final ApiException refusal;
    private final boolean holdOpen;
    public final List<InferenceRequest> received = new CopyOnWriteArrayList<>();
    public final AtomicInteger cancels = new AtomicInteger();
    public volatile Consumer<InferenceEvent> lastSink;

    private ScriptedBackend(String name, Function<InferenceRequest, List<InferenceEvent>> script,
            ApiException refusal, boolean holdOpen) {
        this.name = name;
        this.script = script;
        this.refusal = refusal;
        this.holdOpen = holdOpen;
    }

    /** Answers "text" split into one delta per character, with the usage given. */
    public static ScriptedBackend answering(String name, String model, String text, int inputTokens) {
        return new ScriptedBackend(name, r -> answer(name, model, text, inputTokens), null, false);
    }

    public static List<InferenceEvent> answer(String backend, String model, String text, int inputTokens) {
        List<InferenceEvent> events = new java.util.ArrayList<>();
        events.add(new InferenceEvent.Started(backend, model, inputTokens));
        for (char c : text.toCharArray()) {
            events.add(new InferenceEvent.TextDelta(String.valueOf(c), null));
        }
        events.add(new InferenceEvent.Finished(dev.tandem.server.core.StopReason.END_TURN,
                new dev.tandem.server.core.TokenUsage(inputTokens, text.length()), null));
        return events;
    }

    public static ScriptedBackend scripted(String name, Function<InferenceRequest, List<InferenceEvent>> script) {
        return new ScriptedBackend(name, script, null, false);
    }

    /** Emits the script but never its terminal event: the request stays open until cancelled. */
    public static ScriptedBackend holdingOpen(String name, Function<InferenceRequest, List<InferenceEvent>> script) {
        return new ScriptedBackend(name, script, null, true);
    }

    public static ScriptedBackend refusing(String name, ApiException e) {
        return new ScriptedBackend(name, r -> List.of(), e, false);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        return Optional.empty();
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        received.add(request);
        lastSink = sink;
        if (refusal != null) {
            throw refusal;
        }
        List<InferenceEvent> events = script.apply(request);
        for (InferenceEvent e : events) {
            if (holdOpen && e.isTerminal()) {
                break;
            }
            sink.accept(e);
        }
        return cancels::incrementAndGet;
    }

    /** One token per character of the request's text, in a window of 1,024. */
    @Override
    public PromptTokens tokenize(InferenceRequest request) {
        received.add(request);
        String text = request.input() instanceof Input.Chat chat ? chat.messages().get(0).text() : "";
        return new PromptTokens(text.chars().toArray(), 1024);
    }
}
