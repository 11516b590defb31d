package dev.tandem.server.api;

import dev.tandem.server.core.Content;
import dev.tandem.server.core.InferenceEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Thinking blocks gathered from {@link InferenceEvent.ThinkingDelta}s, in order: text parts join the
 * open block, a signature ends it, a redacted block stands alone.
 */
public final class ThinkingBlocks {
    private final List<Content.Thinking> done = new ArrayList<>();
    private StringBuilder open; // the text of the block not yet signed, or null

    public void add(InferenceEvent.ThinkingDelta d) {
        if (d.text() != null) {
            if (open == null) {
                open = new StringBuilder();
            }
            open.append(d.text());
        } else if (d.signature() != null) {
            done.add(new Content.Thinking(open == null ? "" : open.toString(), d.signature(), null));
            open = null;
        } else {
            closeOpen();
            done.add(new Content.Thinking(null, null, d.redacted()));
        }
    }

    /** The blocks so far; an unsigned one last (a stream cut short) has no signature. */
    public List<Content.Thinking> blocks() {
        List<Content.Thinking> all = new ArrayList<>(done);
        if (open != null) {
            all.add(new Content.Thinking(open.toString(), null, null));
        }
        return all;
    }

    private void closeOpen() {
        if (open != null) {
            done.add(new Content.Thinking(open.toString(), null, null));
            open = null;
        }
    }
}
