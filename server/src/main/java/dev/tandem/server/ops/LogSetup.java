package dev.tandem.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.tandem.server.ops.redaction.RedactingEncoder;
import dev.tandem.server.ops.redaction.Redactor;
import java.io.OutputStream;
import org.slf4j.LoggerFactory;

/**
 * Sets up logging from the configuration at start: one appender on the root logger, text or JSON,
 * every line passed through the secret redactor. Each line carries the request id from the MDC
 * ({@link #MDC_REQUEST_ID}).
 */
public final class LogSetup {
    /** The MDC key the edge ({@code RequestIds}) puts the request id under. */
    public static final String MDC_REQUEST_ID = "requestId";

    private static final String PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %X{" + MDC_REQUEST_ID + ":-} %logger{36} - %msg%n";

    private LogSetup() {}

    /** Logs to stderr. */
    public static void configure(LoggingConfig config, Redactor redactor) {
        configure(config, redactor, null);
    }

    /** Logs to {@code out} when given (tests), else stderr. */
    public static void configure(LoggingConfig config, Redactor redactor, OutputStream out) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        RedactingEncoder.use(redactor);

        Encoder<ILoggingEvent> inner;
        if (config.format().equals("json")) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(ctx);
            // the formatted line only: the raw template and arguments would double every field
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            inner = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setContext(ctx);
            text.setPattern(PATTERN);
            inner = text;
        }
        inner.start();
        RedactingEncoder encoder = new RedactingEncoder();
        encoder.setContext(ctx);
        encoder.setEncoder(inner);
        encoder.start();

        OutputStreamAppender<ILoggingEvent> appender;
        if (out == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err"); // stdout stays free for the CLI's output
            appender = console;
        } else {
            appender = new OutputStreamAppender<>();
            appender.setOutputStream(out);
        }
        appender.setName("tandem");
        appender.setContext(ctx);
        appender.setEncoder(encoder);
        appender.start();

        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        root.setLevel(Level.toLevel(config.level(), Level.INFO));
    }
}
