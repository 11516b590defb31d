package dev.tandem.server.ops.gate;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Time filters of /v1/usage and {@code tandem usage}: a date (midnight UTC) or an ISO instant. */
public final class AdminApiTimes {
    private AdminApiTimes() {}

    /** @return null when absent; throws IllegalArgumentException naming {@code param} when malformed */
    public static Instant parse(String value, String param) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + param + "' must be a date (2026-01-31) or an ISO instant (2026-01-31T12:00:00Z)");
        }
    }
}
