package dev.tandem.server.core;

import dev.tandem.models.Prompt;
import java.util.List;
import java.util.Objects;

/** What the model is given: a conversation, or a raw completion prompt. */
public sealed interface Input {

    /**
     * A conversation; {@code system} is the joined system text or null, {@code systemCache} the caching
     * breakpoint the caller set on (the last of) its system text, or null.
     */
    record Chat(String system, List<Message> messages, CacheBreakpoint systemCache) implements Input {
        public Chat {
            messages = List.copyOf(messages);
        }

        public Chat(String system, List<Message> messages) {
            this(system, messages, null);
        }

        /** The same conversation with other system text and messages (what else it carries kept). */
        public Chat with(String system, List<Message> messages) {
            return new Chat(system, messages, systemCache);
        }
    }

    /**
     * A legacy completion: a prompt (text or token ids), an optional {@code suffix} for
     * fill-in-the-middle, and {@code echo} to return the prompt before the completion.
     */
    record Completion(Prompt prompt, String suffix, boolean echo) implements Input {
        public Completion {
            Objects.requireNonNull(prompt, "prompt");
        }
    }
}
