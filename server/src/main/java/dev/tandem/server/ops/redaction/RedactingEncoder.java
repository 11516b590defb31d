package dev.tandem.server.ops.redaction;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * Wraps any logback encoder (pattern or JSON) and masks secrets in every encoded line: message,
 * arguments, MDC and stack traces alike. The redactor is process-wide ({@link #use}) because logback
 * builds encoders from its XML without our configuration.
 */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {
    private static volatile Redactor redactor = Redactor.safetyNet();

    private Encoder<ILoggingEvent> encoder;

    public static void use(Redactor r) {
        redactor = r;
    }

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("RedactingEncoder needs a nested <encoder>");
            return;
        }
        if (!encoder.isStarted()) {
            encoder.start();
        }
        super.start();
    }

    @Override
    public void stop() {
        encoder.stop();
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return encoder.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        byte[] raw = encoder.encode(event);
        String line = new String(raw, StandardCharsets.UTF_8);
        String clean = redactor.redact(line);
        return clean.equals(line) ? raw : clean.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return encoder.footerBytes();
    }
}
