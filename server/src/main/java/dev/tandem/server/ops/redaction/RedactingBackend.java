package dev.tandem.server.ops.redaction;

import dev.tandem.models.Prompt;
import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.Backend;
import dev.tandem.server.core.Content;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.core.Message;
import dev.tandem.server.ops.ForwardingBackend;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Wraps one remote backend: a prompt holding secrets is masked before it leaves, kept local, or
 * refused, as configured. For "keep-local" the router learns through {@link #cannotServe} and takes
 * the next backend of its chain; a request that reaches this backend anyway goes to {@code local}.
 */
public final class RedactingBackend extends ForwardingBackend {
    private final Redactor redactor;
    private final RedactionAction action;
    private final Backend local;

    /** @param local the local backend for "keep-local", or null when there is none */
    public RedactingBackend(Backend remote, Redactor redactor, RedactionAction action, Backend local) {
        super(remote);
        this.redactor = redactor;
        this.action = action;
        this.local = local;
    }

    @Override
    public Optional<String> cannotServe(InferenceRequest request) {
        if (action == RedactionAction.KEEP_LOCAL) {
            Set<String> found = secretsIn(request);
            if (!found.isEmpty()) {
                return Optional.of("the prompt holds secrets (" + String.join(", ", found) + ") and policy keeps it local");
            }
        }
        return super.cannotServe(request);
    }

    @Override
    public Call start(InferenceRequest request, Consumer<InferenceEvent> sink) {
        Set<String> found = secretsIn(request);
        if (found.isEmpty()) {
            return inner.start(request, sink);
        }
        return switch (action) {
            case REDACT -> inner.start(request.toBuilder().withInput(map(request.input(), redactor::redact)).build(), sink);
            case KEEP_LOCAL -> {
                if (local == null) {
                    throw refusal(found);
                }
                yield local.start(request, sink);
            }
            case REFUSE -> throw refusal(found);
        };
    }

    private static ApiException refusal(Set<String> found) {
        return ApiException.invalid("messages", "The prompt contains what looks like secrets ("
                + String.join(", ", found) + ") and the server's redaction policy forbids sending it to a remote"
                + " model. Remove them, or ask for a local model.");
    }

    private Set<String> secretsIn(InferenceRequest request) {
        Set<String> found = new LinkedHashSet<>();
        map(request.input(), text -> {
            found.addAll(redactor.scan(text));
            return text;
        });
        return found;
    }

    /** The input with every piece of text passed through {@code f}. */
    static Input map(Input input, UnaryOperator<String> f) {
        if (input instanceof Input.Chat chat) {
            List<Message> messages = new ArrayList<>();
            for (Message m : chat.messages()) {
                messages.add(new Message(m.role(), mapContent(m.content(), f)));
            }
            return chat.with(chat.system() == null ? null : f.apply(chat.system()), messages);
        }
        Input.Completion c = (Input.Completion) input;
        Prompt prompt = c.prompt() instanceof Prompt.Text t ? new Prompt.Text(f.apply(t.text()), t.addSpecialTokens()) : c.prompt();
        return new Input.Completion(prompt, c.suffix() == null ? null : f.apply(c.suffix()), c.echo());
    }

    private static List<Content> mapContent(List<Content> content, UnaryOperator<String> f) {
        List<Content> out = new ArrayList<>();
        for (Content block : content) {
            if (block instanceof Content.Text t) {
                out.add(new Content.Text(f.apply(t.text()), t.cache()));
            } else if (block instanceof Content.ToolUse u) {
                out.add(new Content.ToolUse(u.id(), u.name(), f.apply(u.argumentsJson()), u.cache()));
            } else if (block instanceof Content.ToolResult r) {
                out.add(new Content.ToolResult(r.toolUseId(), mapContent(r.content(), f), r.isError(), r.cache()));
            } else if (block instanceof Content.Thinking t && t.text() != null) {
                // redacted like any text; Claude then refuses the block's signature, rather than a secret leaving
                out.add(new Content.Thinking(f.apply(t.text()), t.signature(), null));
            } else {
                out.add(block);
            }
        }
        return out;
    }
}
