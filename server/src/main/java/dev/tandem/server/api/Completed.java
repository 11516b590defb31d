package dev.tandem.server.api;

import dev.tandem.models.GenerationEvent.TokenLogprob;
import dev.tandem.server.core.InferenceEvent;
import java.util.ArrayList;
import java.util.List;

/** One choice, gathered whole for a non-streaming response. */
public record Completed(InferenceEvent.Started started, String text, List<TokenLogprob> logprobs, InferenceEvent.Finished finished,
        List<ToolCalls.Call> toolCalls) {

    /**
     * Waits for every call of the group. The first failure cancels the others and is thrown: a
     * non-streaming response is all or nothing.
     *
     * <p>A client that goes away during this wait is not noticed: Jetty 12 does not read a connection
     * while its request is handled (no fill interest once the body is consumed), so neither
     * {@code EndPoint.isOpen()} nor the request's failure listeners change until a write fails
     * (checked on Jetty 12.1.12). The generation runs to its end (at most max_tokens) and the
     * response write then fails; streams, which write, cancel at their next frame or ping.
     */
    public static List<Completed> collect(CallGroup group) {
        int n = group.size();
        InferenceEvent.Started[] started = new InferenceEvent.Started[n];
        StringBuilder[] text = new StringBuilder[n];
        List<List<TokenLogprob>> logprobs = new ArrayList<>();
        InferenceEvent.Finished[] finished = new InferenceEvent.Finished[n];
        ToolCalls[] toolCalls = new ToolCalls[n];
        for (int i = 0; i < n; i++) {
            text[i] = new StringBuilder();
            toolCalls[i] = new ToolCalls();
            logprobs.add(new ArrayList<>());
        }
        while (!group.done()) {
            CallGroup.Indexed next = group.poll(60_000);
            if (next == null) {
                continue;
            }
            int i = next.index();
            InferenceEvent event = next.event();
            if (event instanceof InferenceEvent.Started s) {
                started[i] = s;
            } else if (event instanceof InferenceEvent.TextDelta d) {
                text[i].append(d.text());
                if (d.logprob() != null) {
                    logprobs.get(i).add(d.logprob());
                }
            } else if (event instanceof InferenceEvent.ToolCallDelta d) {
                toolCalls[i].add(d);
            } else if (event instanceof InferenceEvent.Finished f) {
                finished[i] = f;
            } else if (event instanceof InferenceEvent.Failed f) {
                group.cancelAll();
                throw f.error();
            }
        }
        List<Completed> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new Completed(started[i], text[i].toString(), List.copyOf(logprobs.get(i)), finished[i], toolCalls[i].calls()));
        }
        return out;
    }
}
