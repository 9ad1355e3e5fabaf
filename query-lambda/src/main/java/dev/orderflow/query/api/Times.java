package dev.orderflow.query.api;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Times in the API: parsed from ISO-8601 or epoch milliseconds, kept as µs since the epoch, written as ISO-8601. */
public final class Times {
    /** Earliest time the API accepts (inclusive), µs. */
    public static final long MIN_MICROS = 0L;
    /** Latest time the API accepts (exclusive), µs: 2200-01-01T00:00:00Z (storage keys hold 13-digit ms). */
    public static final long MAX_MICROS = 7_258_118_400_000_000L;
    public static final String ACCEPTED = "ISO-8601 (2026-05-01T12:00:00Z, 2026-05-01T12:00:00.123456+02:00, "
            + "2026-05-01T12:00:00 as UTC, 2026-05-01 as midnight UTC) or epoch milliseconds (1777636800000)";

    private static final long MICROS_PER_DAY = 86_400_000_000L;

    private Times() {
    }

    /** Parses a time parameter; throws a 400 {@link Problem} naming {@code parameter} when it is not one. */
    public static long parse(String parameter, String text) {
        String value = text.strip();
        long micros;
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            micros = value.length() > 15 ? -1 : Long.parseLong(value) * 1000L;
        } else {
            micros = parseIso(parameter, value.replace(' ', '+'));
        }
        if (micros < MIN_MICROS || micros >= MAX_MICROS) {
            throw Problem.badParameter(parameter, "'" + parameter + "' must lie between 1970-01-01T00:00:00Z and "
                    + "2200-01-01T00:00:00Z.");
        }
        return micros;
    }

    private static long parseIso(String parameter, String value) {
        if (value.length() > 40) {
            throw unparsable(parameter);
        }
        try {
            Instant instant;
            if (value.indexOf('T') < 0 && value.indexOf('t') < 0) {
                instant = LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } else if (hasZone(value)) {
                instant = OffsetDateTime.parse(value.toUpperCase(java.util.Locale.ROOT),
                        DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } else {
                instant = LocalDateTime.parse(value.toUpperCase(java.util.Locale.ROOT)).toInstant(ZoneOffset.UTC);
            }
            if (instant.isBefore(Instant.EPOCH) || !instant.isBefore(Instant.ofEpochSecond(MAX_MICROS / 1_000_000L))) {
                return -1;
            }
            return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
        } catch (DateTimeException | ArithmeticException e) {
            throw unparsable(parameter);
        }
    }

    private static boolean hasZone(String value) {
        int t = Math.max(value.indexOf('T'), value.indexOf('t'));
        String time = value.substring(t + 1);
        return time.endsWith("Z") || time.endsWith("z") || time.indexOf('+') >= 0 || time.indexOf('-') >= 0;
    }

    private static Problem unparsable(String parameter) {
        return Problem.badParameter(parameter, "'" + parameter + "' is not a time. Use " + ACCEPTED + ".");
    }

    /** {@code 2026-05-01T12:00:00.123456Z}: always UTC, always six fraction digits. */
    public static String iso(long micros) {
        StringBuilder out = new StringBuilder(27);
        appendIso(out, micros);
        return out.toString();
    }

    /** Appends {@link #iso(long)} to {@code out}, without allocating on the way. */
    public static void appendIso(StringBuilder out, long micros) {
        long day = Math.floorDiv(micros, MICROS_PER_DAY);
        long inDay = micros - day * MICROS_PER_DAY;
        LocalDate date = LocalDate.ofEpochDay(day);
        int year = date.getYear();
        if (year < 0 || year > 9999) {
            out.append(Instant.EPOCH.plus(micros, ChronoUnit.MICROS));
            return;
        }
        pad(out, year, 4);
        out.append('-');
        pad(out, date.getMonthValue(), 2);
        out.append('-');
        pad(out, date.getDayOfMonth(), 2);
        out.append('T');
        long seconds = inDay / 1_000_000L;
        pad(out, (int) (seconds / 3600), 2);
        out.append(':');
        pad(out, (int) (seconds / 60 % 60), 2);
        out.append(':');
        pad(out, (int) (seconds % 60), 2);
        out.append('.');
        pad(out, (int) (inDay % 1_000_000L), 6);
        out.append('Z');
    }

    private static void pad(StringBuilder out, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            out.append('0');
        }
        out.append(digits);
    }
}
