package dev.tandem.server.ops.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {
    final Redactor redactor = Redactor.defaults();

    @Test
    void everyPlantedSecretIsMaskedAndNamed() {
        Map<String, String> secrets = PlantedSecrets.fresh();
        String doc = PlantedSecrets.document(secrets);

        String clean = redactor.redact(doc);

        secrets.forEach((type, value) -> assertThat(clean).as(type).doesNotContain(value));
        assertThat(redactor.scan(doc)).contains("anthropic_key", "openai_key", "aws_access_key", "github_token",
                "slack_token", "google_api_key", "private_key", "jwt", "password", "high_entropy");
        assertThat(clean).contains("db.password = \"[REDACTED:password]\"").contains("[REDACTED:private_key]")
                .contains("please fix the bug");
    }

    @Test
    void credentialsInHeadersAreMaskedWhateverTheyLookLike() {
        assertThat(redactor.redact("> Authorization: Bearer letmein-please\n> x-api-key: hunter2hunter2"))
                .isEqualTo("> Authorization: Bearer [REDACTED:auth_header]\n> x-api-key: [REDACTED:api_key_header]");
        assertThat(redactor.redact("{\"authorization\":\"Basic dXNlcjpwYXNz\"}"))
                .isEqualTo("{\"authorization\":\"Basic [REDACTED:auth_header]\"}");
        assertThat(redactor.redact("valueString=[Bearer master-e2e-123]")).isEqualTo("valueString=[Bearer [REDACTED:bearer_token]]");
    }

    @Test
    void ordinaryTextAndCodeAreLeftAlone() {
        String text = """
                The quick brown fox jumps over the lazy dog. AbstractSingletonProxyFactoryBean is a class.
                for (int i = 0; i < n; i++) { total += values[i]; }
                commit 3f786850e387550fdab836ed7e6dc881de23001b, id 550e8400-e29b-41d4-a716-446655440000
                String password = args[0]; // read from the command line
                ThisIsAVeryLongCamelCaseMethodNameForTesting and org_apache_commons_lang_StringUtils_isBlank
                """;
        assertThat(redactor.scan(text)).isEmpty();
        assertThat(redactor.redact(text)).isEqualTo(text);
    }

    @Test
    void customDetectorsAndASubsetCanBeConfigured() {
        Redactor r = Redactor.fromConfig(new RedactionConfig(List.of("openai_key"), Map.of("employee_id", "EMP-\\d{6}"),
                null, null, null, null));
        assertThat(r.redact("id EMP-123456 key AKIAABCDEFGHIJKLMNOP"))
                .isEqualTo("id [REDACTED:employee_id] key AKIAABCDEFGHIJKLMNOP");
        assertThatThrownBy(() -> Redactor.fromConfig(new RedactionConfig(List.of("nope"), null, null, null, null, null)))
                .hasMessageContaining("unknown redaction detector");
        assertThatThrownBy(() -> new RedactionConfig(null, null, "shout", null, null, null))
                .hasMessageContaining("remoteAction");
    }

    @Test
    void entropyMeasuresBitsPerCharacter() {
        assertThat(Redactor.shannonEntropy("aaaa")).isZero();
        assertThat(Redactor.shannonEntropy("abcd")).isEqualTo(2.0);
    }
}
