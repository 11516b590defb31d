package dev.tandem.server.ops.gate;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Time filters of /v1/usage and {@code tandem usage}: a date (midnight UTC) or an ISO instant, within
 * the years 0000 to 9999 (an ISO instant may name a year a billion years off, which no store can
 * hold: such a filter is the caller's mistake, said as such).
 */
public final class AdminApiTimes {
    private static final Instant EARLIEST = LocalDate.of(0, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
    private static final Instant LATEST = LocalDate.of(10_000, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();

    private AdminApiTimes() {}

    /** @return null when absent; throws IllegalArgumentException naming {@code param} when malformed */
    public static Instant parse(String value, String param) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Instant time;
        try {
            time = value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + param + "' must be a date (2026-01-31) or an ISO instant (2026-01-31T12:00:00Z)");
        }
        if (time.isBefore(EARLIEST) || !time.isBefore(LATEST)) {
            throw new IllegalArgumentException("'" + param + "' must lie between the years 0000 and 9999, was " + value);
        }
        return time;
    }
}
