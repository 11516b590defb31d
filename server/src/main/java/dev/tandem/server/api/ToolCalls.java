package dev.tandem.server.api;

import dev.tandem.server.core.InferenceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Tool calls gathered from {@link InferenceEvent.ToolCallDelta}s, in index order (remote backends only). */
public final class ToolCalls {

    /** One whole call; {@code argumentsJson} is the joined argument text (a JSON object). */
    public record Call(String id, String name, String argumentsJson) {}

    private final Map<Integer, String[]> heads = new TreeMap<>();
    private final Map<Integer, StringBuilder> arguments = new TreeMap<>();

    public void add(InferenceEvent.ToolCallDelta d) {
        String[] head = heads.computeIfAbsent(d.index(), i -> new String[2]);
        if (d.id() != null) {
            head[0] = d.id();
        }
        if (d.name() != null) {
            head[1] = d.name();
        }
        if (d.argumentsJsonPart() != null) {
            arguments.computeIfAbsent(d.index(), i -> new StringBuilder()).append(d.argumentsJsonPart());
        }
    }

    public List<Call> calls() {
        List<Call> out = new ArrayList<>();
        heads.forEach((i, head) -> {
            StringBuilder args = arguments.get(i);
            out.add(new Call(head[0], head[1], args == null || args.length() == 0 ? "{}" : args.toString()));
        });
        return out;
    }
}
