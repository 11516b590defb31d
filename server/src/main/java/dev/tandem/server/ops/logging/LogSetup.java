package dev.tandem.server.ops.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.tandem.server.core.LogContext;
import dev.tandem.server.ops.redaction.RedactingEncoder;
import dev.tandem.server.ops.redaction.Redactor;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Sets up logging from the configuration at start: one appender on the root logger, text or JSON,
 * every line passed through the secret redactor. Each line carries the request id from the MDC
 * ({@link LogContext#REQUEST_ID}).
 *
 * <p>Lines to stderr are formatted, redacted and written by a background thread (an
 * {@link AsyncAppender} that never drops a line and slows the logger only when 8,192 lines wait):
 * a request's log line then costs its thread a queue insert, not a formatting and a scan by every
 * redaction pattern. {@link #flush} waits for the queue at shutdown.
 */
public final class LogSetup {
    private static final String PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %X{" + LogContext.REQUEST_ID + ":-} %logger{36} - %msg%n";

    /**
     * DJL's CUDA probe: with the CUDA runtime on the class path but no NVIDIA driver loaded, it warns
     * four times at start that the "CUDA driver version is insufficient"; on a machine with no GPU that
     * is no news, so it speaks only at ERROR there. Where a driver is loaded its warnings stay.
     */
    static final String CUDA_PROBE = "ai.djl.util.cuda.CudaUtils";
    /** Present where the NVIDIA kernel driver is loaded (Linux, containers with a GPU included). */
    static final Path NVIDIA_DRIVER = Path.of("/proc/driver/nvidia/version");

    private static volatile AsyncAppender background;

    private LogSetup() {}

    /** Logs to stderr, through the background writer. */
    public static void configure(LoggingConfig config, Redactor redactor) {
        configure(config, redactor, null);
    }

    /**
     * Logs to {@code out} (stderr when null) on the logging thread itself: each line is in {@code out}
     * when its log call returns, so whoever owns the stream can read it back at once.
     */
    public static void configure(LoggingConfig config, Redactor redactor, OutputStream out) {
        configure(config, redactor, out, NVIDIA_DRIVER);
    }

    /** @param nvidiaDriver the file whose presence says an NVIDIA driver is loaded ({@link #NVIDIA_DRIVER}) */
    static void configure(LoggingConfig config, Redactor redactor, OutputStream out, Path nvidiaDriver) {
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

        OutputStreamAppender<ILoggingEvent> writer;
        if (out == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err"); // stdout stays free for the CLI's output
            writer = console;
        } else {
            writer = new OutputStreamAppender<>();
            writer.setOutputStream(out);
        }
        writer.setName("tandem");
        writer.setContext(ctx);
        writer.setEncoder(encoder);
        writer.start();

        Appender<ILoggingEvent> appender = writer;
        AsyncAppender async = null;
        if (out == null) { // a given stream is written synchronously (see above)
            async = new AsyncAppender();
            async.setName("tandem-background");
            async.setContext(ctx);
            async.setQueueSize(8192);
            async.setDiscardingThreshold(0); // keep every line, INFO and DEBUG included
            async.setNeverBlock(false);
            async.addAppender(writer);
            async.start();
            appender = async;
        }

        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        background = async;
        Level level = Level.toLevel(config.level(), Level.INFO);
        root.setLevel(level);
        // Jetty's debug lines dump request and response bytes, prompts and completions included
        ctx.getLogger("org.eclipse.jetty").setLevel(level.isGreaterOrEqual(Level.INFO) ? null : Level.INFO);
        boolean noDriver = System.getProperty("os.name", "").startsWith("Linux") && !Files.exists(nvidiaDriver);
        ctx.getLogger(CUDA_PROBE).setLevel(noDriver ? Level.ERROR : null);
    }

    /** Waits (at most a second) until the background thread has written every queued line. */
    public static void flush() {
        AsyncAppender async = background;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (async != null && async.getNumberOfElementsInQueue() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
