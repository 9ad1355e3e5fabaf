package dev.orderflow.query.api;

import java.time.Duration;
import java.util.Optional;

/** The half-open range {@code [fromMicros, toMicros)} of a request, from {@code from}/{@code to} and the defaults. */
public record TimeRange(long fromMicros, long toMicros) {

    /**
     * Neither given: the {@code defaultSpan} up to now. Only {@code from}: {@code defaultSpan} from it. Only
     * {@code to}: {@code defaultSpan} up to it. {@code to} must be after {@code from}, at most {@code maxSpan} later.
     */
    public static TimeRange of(Params params, Duration defaultSpan, Duration maxSpan, long nowMicros) {
        Optional<Long> from = params.get("from").map(text -> Times.parse("from", text));
        Optional<Long> to = params.get("to").map(text -> Times.parse("to", text));
        long span = micros(defaultSpan);
        long f;
        long t;
        if (from.isPresent() && to.isPresent()) {
            f = from.get();
            t = to.get();
        } else if (from.isPresent()) {
            f = from.get();
            t = Math.min(f + span, Times.MAX_MICROS);
        } else if (to.isPresent()) {
            t = to.get();
            f = Math.max(t - span, Times.MIN_MICROS);
        } else {
            t = nowMicros;
            f = Math.max(t - span, Times.MIN_MICROS);
        }
        if (t <= f) {
            throw Problem.badParameter("to", "'to' (" + Times.iso(t) + ") must be later than 'from' ("
                    + Times.iso(f) + "): the range is [from, to).");
        }
        if (maxSpan != null && t - f > micros(maxSpan)) {
            throw Problem.badParameter("to", "[from, to) spans " + describe(t - f) + "; at most "
                    + describe(micros(maxSpan)) + " per query. Split longer ranges into several queries.");
        }
        return new TimeRange(f, t);
    }

    public static long micros(Duration duration) {
        return duration.toNanos() / 1000L;
    }

    /** A span for messages: {@code 24 h}, {@code 1m30s}. */
    public static String describe(long micros) {
        Duration d = Duration.ofNanos(micros * 1000L);
        if (d.toSeconds() % 3600 == 0 && d.getNano() == 0) {
            return d.toHours() + " h";
        }
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
