package dev.orderflow.capture;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The time the capture seals windows and confirms watermarks by: the host's clock, except just after it stepped
 * forward. A forward step (chrony's {@code makestep} at boot, a bad NTP source) would seal windows whose events are
 * still arriving and move {@code confirmed_until}, and with it the API's {@code complete: true}, past what was
 * received. So a jump of the host's clock ahead of the monotonic clock (which a step does not move) by more than
 * {@value #STEP_MICROS} µs is not followed: the time goes on from before the step, by the monotonic clock, until the
 * exchange's events say the new time has come (the least-delayed event of the last minute or two, carried forward by
 * the monotonic clock, within {@value #SLACK_MICROS} µs of it). A step back, and the slow corrections of a clock
 * being slewed, are followed at once: the earlier time is the safe one.
 */
@ApplicationScoped
public class WatermarkClock {
    /** A forward jump larger than this, between two readings, is a step. */
    public static final long STEP_MICROS = 250_000;
    /** How far ahead of the exchange's time (as its events show it) the host's clock may be and still be believed. */
    public static final long SLACK_MICROS = 1_000_000;
    private static final long BUCKET_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final LongSupplier wallMicros;
    private final LongSupplier monotonicNanos;
    private boolean started;
    /** The host's clock less the monotonic clock, as last believed. */
    private long trustedOffset;
    private boolean stepped;
    private boolean observed;
    private long bucketStartNanos;
    /** The largest (exchange time − monotonic time) of the current bucket, and of the one before. */
    private long bucketOffset;
    private long previousOffset = Long.MIN_VALUE;

    public WatermarkClock() {
        this(Clock::nowMicros, System::nanoTime);
    }

    public WatermarkClock(LongSupplier wallMicros, LongSupplier monotonicNanos) {
        this.wallMicros = wallMicros;
        this.monotonicNanos = monotonicNanos;
    }

    /** An event stamped {@code exchangeMicros} by the exchange has just been received. */
    public synchronized void observed(long exchangeMicros) {
        long nanos = monotonicNanos.getAsLong();
        long offset = exchangeMicros - nanos / 1_000;
        if (!observed || nanos - bucketStartNanos > BUCKET_NANOS) {
            if (observed) {
                previousOffset = bucketOffset;
            }
            observed = true;
            bucketStartNanos = nanos;
            bucketOffset = offset;
        } else {
            bucketOffset = Math.max(bucketOffset, offset);
        }
    }

    /** The host's clock, or after a forward step not yet confirmed by the exchange, the time from before it. */
    public synchronized long nowMicros() {
        long wall = wallMicros.getAsLong();
        long monotonic = monotonicNanos.getAsLong() / 1_000;
        long offset = wall - monotonic;
        if (!started || (!stepped && offset - trustedOffset <= STEP_MICROS) || offset <= trustedOffset
                || (observed && monotonic + Math.max(bucketOffset, previousOffset) + SLACK_MICROS >= wall)) {
            started = true;
            stepped = false;
            trustedOffset = offset;
            return wall;
        }
        if (!stepped) {
            stepped = true;
            io.quarkus.logging.Log.warnf("The host's clock stepped %d ms forward: windows are sealed by the time from"
                    + " before the step until the exchange's events reach it", (offset - trustedOffset) / 1_000);
        }
        return monotonic + trustedOffset;
    }

    /** Whether the host's clock is ahead of the time given (a forward step not yet confirmed). */
    public synchronized boolean stepped() {
        return stepped;
    }
}
