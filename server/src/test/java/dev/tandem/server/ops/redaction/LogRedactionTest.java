package dev.tandem.server.ops.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.server.core.LogContext;
import dev.tandem.server.fakes.Defaults;
import dev.tandem.server.ops.logging.LogSetup;
import dev.tandem.server.ops.logging.LoggingConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LogRedactionTest {
    final Logger log = LoggerFactory.getLogger("test.redaction");

    @AfterEach
    void restore() {
        LogSetup.configure(Defaults.CONFIG.logging(), Redactor.fromConfig(Defaults.CONFIG.redaction()));
        MDC.clear();
    }

    @Test
    void textLinesCarryTheRequestIdAndNoSecret() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogSetup.configure(Defaults.CONFIG.logging(), Redactor.fromConfig(Defaults.CONFIG.redaction()), out);
        Map<String, String> secrets = PlantedSecrets.fresh();

        MDC.put(LogContext.REQUEST_ID, "req-42");
        log.info("upstream said {}", PlantedSecrets.document(secrets));
        log.warn("failed", new IllegalStateException("bad key " + secrets.get("openai_key")));

        String text = out.toString(StandardCharsets.UTF_8);
        secrets.values().forEach(s -> assertThat(text).doesNotContain(s));
        assertThat(text).contains(" req-42 ").contains("[REDACTED:openai_key]").contains("IllegalStateException");
    }

    @Test
    void theShippedLogbackXmlMasksSecretsBeforeTheConfigurationIsRead() throws Exception {
        java.io.PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Map<String, String> secrets = PlantedSecrets.fresh();
        try {
            System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
            ch.qos.logback.classic.LoggerContext ctx = (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
            ctx.reset();
            ch.qos.logback.classic.joran.JoranConfigurator joran = new ch.qos.logback.classic.joran.JoranConfigurator();
            joran.setContext(ctx);
            joran.doConfigure(getClass().getResource("/logback.xml"));
            MDC.put(LogContext.REQUEST_ID, "req-xml");
            log.warn("leaked {}", PlantedSecrets.document(secrets));
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("leaked").contains(" req-xml ").contains("[REDACTED:github_token]");
        secrets.values().forEach(s -> assertThat(text).doesNotContain(s));
    }

    @Test
    void jsonLinesAreOneObjectEachWithMdcAndNoSecret() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogSetup.configure(new LoggingConfig("json", "info"), Redactor.fromConfig(Defaults.CONFIG.redaction()), out);
        Map<String, String> secrets = PlantedSecrets.fresh();

        MDC.put(LogContext.REQUEST_ID, "req-7");
        log.info("key {} and pem {}", secrets.get("anthropic_key"), secrets.get("private_key"));

        String text = out.toString(StandardCharsets.UTF_8).trim();
        assertThat(text.lines()).hasSize(1);
        JsonNode line = new ObjectMapper().readTree(text);
        assertThat(line.toString()).contains("req-7");
        assertThat(line.get("formattedMessage").asText()).contains("[REDACTED:anthropic_key]").contains("[REDACTED:private_key]");
        secrets.values().forEach(s -> assertThat(text).doesNotContain(s));
    }
}
