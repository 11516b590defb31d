package dev.tandem.server.ops;

import java.util.Locale;
import java.util.Set;

/**
 * The {@code logging:} section.
 *
 * @param format "text" (default) or "json" (one JSON object per line, MDC included)
 * @param level root level (default INFO)
 */
public record LoggingConfig(String format, String level) {
    public static final LoggingConfig DEFAULTS = new LoggingConfig(null, null);

    public LoggingConfig {
        format = format == null ? "text" : format.toLowerCase(Locale.ROOT);
        if (!Set.of("text", "json").contains(format)) {
            throw new IllegalArgumentException("logging.format must be text or json, was " + format);
        }
        level = level == null ? "INFO" : level.toUpperCase(Locale.ROOT);
    }
}
