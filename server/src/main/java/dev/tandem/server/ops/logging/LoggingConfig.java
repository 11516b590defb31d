package dev.tandem.server.ops.logging;

import dev.tandem.server.core.Assert;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code logging:} section.
 *
 * @param format "text" or "json" (one JSON object per line, MDC included)
 * @param level root level
 */
public record LoggingConfig(String format, String level) {
    public LoggingConfig {
        format = Assert.notNull(format, "logging.format").toLowerCase(Locale.ROOT);
        Assert.isTrue(Set.of("text", "json").contains(format), "logging.format must be text or json, was " + format);
        level = Assert.notNull(level, "logging.level").toUpperCase(Locale.ROOT);
    }
}
