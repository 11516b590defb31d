package dev.tandem.server.ops.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.server.core.ApiException;
import dev.tandem.server.core.ErrorKind;
import dev.tandem.server.core.InferenceEvent;
import dev.tandem.server.core.InferenceRequest;
import dev.tandem.server.core.Input;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.fakes.Requests;
import dev.tandem.server.ops.ScriptedBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactingBackendTest {
    final ScriptedBackend remote = ScriptedBackend.answering("anthropic", "claude", "ok", 3);
    final ScriptedBackend local = ScriptedBackend.answering("local", "codellama", "ok", 3);
    final Map<String, String> secrets = PlantedSecrets.fresh();
    final InferenceRequest leaky = Requests.chat("claude", PlantedSecrets.document(secrets)).build();

    static String everything(InferenceRequest r) {
        Input.Chat chat = (Input.Chat) r.input();
        StringBuilder b = new StringBuilder(String.valueOf(chat.system()));
        chat.messages().forEach(m -> b.append(m.text()));
        return b.toString();
    }

    @Test
    void redactModeSendsAMaskedPromptAndNoSecret() {
        List<InferenceEvent> events = new ArrayList<>();
        new RedactingBackend(remote, Redactor.fromConfig(Defaults.CONFIG.redaction()), RedactionAction.REDACT, local).start(leaky, events::add);

        String sent = everything(remote.received.get(0));
        secrets.values().forEach(s -> assertThat(sent).doesNotContain(s));
        assertThat(sent).contains("[REDACTED:anthropic_key]").contains("please fix the bug");
        assertThat(events).last().isInstanceOf(InferenceEvent.Finished.class);
    }

    @Test
    void keepLocalModeTellsTheRouterAndServesLocally() {
        RedactingBackend b = new RedactingBackend(remote, Redactor.fromConfig(Defaults.CONFIG.redaction()), RedactionAction.KEEP_LOCAL, local);
        assertThat(b.cannotServe(leaky)).get().asString().contains("secrets");
        assertThat(b.cannotServe(Requests.chat("claude", "hello").build())).isEmpty();

        b.start(leaky, e -> {});
        assertThat(remote.received).isEmpty();
        assertThat(local.received).hasSize(1);
    }

    @Test
    void refuseModeAnswers400WithoutEchoingTheSecret() {
        RedactingBackend b = new RedactingBackend(remote, Redactor.fromConfig(Defaults.CONFIG.redaction()), RedactionAction.REFUSE, local);
        assertThatThrownBy(() -> b.start(leaky, e -> {}))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    secrets.values().forEach(s -> assertThat(e.getMessage()).doesNotContain(s));
                });
        assertThat(remote.received).isEmpty();
    }

    @Test
    void cleanPromptsPassUntouched() {
        InferenceRequest clean = Requests.chat("claude", "Write a haiku about spring.").build();
        new RedactingBackend(remote, Redactor.fromConfig(Defaults.CONFIG.redaction()), RedactionAction.REFUSE, local).start(clean, e -> {});
        assertThat(remote.received.get(0)).isSameAs(clean);
    }
}
