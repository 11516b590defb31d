package dev.tandem.server.ops.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tandem.server.fakes.Defaults;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {
    final Redactor redactor = Redactor.fromConfig(Defaults.CONFIG.redaction());

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
    void passwordsAssignedInCodeAreFoundWhateverTheVariableIsCalled() {
        // .env files, Django settings, camelCase fields: the keyword is part of a longer name
        assertThat(redactor.redact("DB_PASSWORD=hunter2x")).isEqualTo("DB_PASSWORD=[REDACTED:password]");
        assertThat(redactor.redact("SECRET_KEY = 'django-insecure-abc'")).isEqualTo("SECRET_KEY = '[REDACTED:password]'");
        assertThat(redactor.redact("const dbPassword = 'S3cr3t!';")).isEqualTo("const dbPassword = '[REDACTED:password]';");
        assertThat(redactor.redact("mysql.root_pwd: toor123")).isEqualTo("mysql.root_pwd: [REDACTED:password]");
        // comparisons and reads are not assignments of a value
        assertThat(redactor.scan("if (dbPassword == null || password != other) { userPassword = read(); }")).isEmpty();
    }

    @Test
    void aPrivateKeyBlockIsMaskedEvenWhenThePasteIsCutBeforeItsEnd() {
        String cut = "my key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
                + "QyNTUxOQAAACDgAAAA\nwhy does ssh refuse it?";
        assertThat(redactor.redact(cut)).isEqualTo("my key:\n[REDACTED:private_key]\nwhy does ssh refuse it?");
    }

    @Test
    void credentialsInConnectionUrlsAndMoreProviderKeysAreFound() {
        assertThat(redactor.redact("DATABASE_URL=postgres://admin:s3cretpass@db.example.com:5432/app"))
                .isEqualTo("DATABASE_URL=postgres://admin:[REDACTED:url_credentials]@db.example.com:5432/app");
        assertThat(redactor.scan("hf_abcdefghijklmnopqrstuvwxyzABCDEFGH")).containsExactly("huggingface_token");
        assertThat(redactor.scan("sk_live_abcdefghijklmnopqrstuvwx")).containsExactly("stripe_key");
        assertThat(redactor.scan("glpat-abcdefghij1234567890")).containsExactly("gitlab_token");
        assertThat(redactor.scan("see https://example.com/docs and mailto:someone@example.com")).isEmpty();
    }

    @Test
    void longAdversarialInputsNeitherHangNorOverflowTheStack() {
        // a hang guard, not a speed test: a pattern that rescans the rest of a run at each word boundary
        // takes minutes on 200 kB of "a-a-a-…" (a prompt may be 4 MiB); one linear pass takes milliseconds
        String dashes = "a-".repeat(100_000) + " DB_PASSWORD=hunter2x";
        String dots = "a.".repeat(100_000) + " postgres://u:pw123456@h/db";
        String headers = "-----BEGIN RSA PRIVATE KEY----- x ".repeat(10_000);
        String key = "-----BEGIN PRIVATE KEY-----\n" + "QUJD".repeat(16).concat("\n").repeat(200) + "-----END PRIVATE KEY----- after";
        String huge = "-----BEGIN PRIVATE KEY-----\n" + "QUJD\n".repeat(100_000) + "-----END PRIVATE KEY----- after";
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertThat(redactor.redact(dashes)).endsWith("DB_PASSWORD=[REDACTED:password]");
            assertThat(redactor.redact(dots)).endsWith("postgres://u:[REDACTED:url_credentials]@h/db");
            assertThat(redactor.redact(headers)).startsWith("[REDACTED:private_key] x [REDACTED:private_key] x ");
            assertThat(redactor.redact(key)).isEqualTo("[REDACTED:private_key] after");
            assertThat(redactor.redact(huge)).startsWith("[REDACTED:private_key]\nQUJD");
        });
    }

    @Test
    void theLiteralHintsNeverHideAMatch() {
        // the same detectors with no hints run every pattern on every text: the answers must agree
        List<Detector> unhinted = Redactor.BUILT_IN.values().stream()
                .map(d -> new Detector(d.type(), d.pattern(), List.of())).toList();
        Redactor everyPattern = new Redactor(unhinted, true, 4.0, 20);
        Redactor hinted = new Redactor(List.copyOf(Redactor.BUILT_IN.values()), true, 4.0, 20);
        List<String> corpus = new java.util.ArrayList<>(List.of(
                PlantedSecrets.document(PlantedSecrets.fresh()),
                "> Authorization: Bearer letmein-please\n> X-Api-Key: hunter2hunter2", "PROXY-AUTHORIZATION: Token abcdefgh",
                "DB_PASSWORD=hunter2x", "SECRET_KEY = 'django-insecure-abc'", "mysql.root_pwd: toor123", "AccessToken: \"abcdef\"",
                "AWS_SECRET_ACCESS_KEY=" + "a".repeat(40), "aws_access_key_id AKIAABCDEFGHIJKLMNOP",
                "-----BEGIN EC PRIVATE KEY-----\nQUJD\n-----END EC PRIVATE KEY-----", "postgres://admin:s3cretpass@db:5432/app",
                "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "rk_test_abcdefghijklmnopqrstuvwx", "glpat-abcdefghij1234567890",
                "github_pat_abcdefghijklmnopqrstuv12", "ghs_" + "a1".repeat(18), "xoxb-1234567890-abc",
                "AIza" + "b".repeat(35), "tdm-" + "c".repeat(40), "sk-proj-" + "d".repeat(24), "sk-ant-api03-" + "e".repeat(24),
                "eyJhbGciOi.eyJzdWIiOi.signature123", "apiKey: 'xyz123'", "auth_token=abc123def"));
        int n = corpus.size();
        for (int i = 0; i < n; i++) {
            corpus.add(corpus.get(i).toUpperCase(java.util.Locale.ROOT));
            corpus.add(corpus.get(i).toLowerCase(java.util.Locale.ROOT));
        }
        for (String text : corpus) {
            assertThat(hinted.redact(text)).as(text).isEqualTo(everyPattern.redact(text));
        }
        assertThat(hinted.scan(corpus.get(0))).hasSizeGreaterThan(5);
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
        Redactor r = Redactor.fromConfig(Defaults.CONFIG.redaction().toBuilder()
                .withDetectors(List.of("openai_key"))
                .withCustom(Map.of("employee_id", "EMP-\\d{6}"))
                .build());
        assertThat(r.redact("id EMP-123456 key AKIAABCDEFGHIJKLMNOP"))
                .isEqualTo("id [REDACTED:employee_id] key AKIAABCDEFGHIJKLMNOP");
        assertThatThrownBy(() -> Redactor.fromConfig(Defaults.CONFIG.redaction().toBuilder().withDetectors(List.of("nope")).build()))
                .hasMessageContaining("unknown redaction detector");
        assertThatThrownBy(() -> RedactionAction.parse("shout"))
                .hasMessageContaining("remoteAction");
    }

    @Test
    void entropyMeasuresBitsPerCharacter() {
        assertThat(Redactor.shannonEntropy("aaaa")).isZero();
        assertThat(Redactor.shannonEntropy("abcd")).isEqualTo(2.0);
    }
}
