package dev.orderflow.capture.feed;

import dev.orderflow.capture.CaptureConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;

/**
 * Whether a connection is still honest, from when it last delivered anything (a frame or a pong) and when it last
 * delivered data (an event of a subscribed channel): <i>half-open</i> when nothing arrived for {@code silence-timeout},
 * <i>stale</i> when pings and heartbeats are answered but no data arrived for the data timeout. The data timeout is
 * {@code data-timeout}, doubled per stale replacement since the last data frame (up to {@code data-timeout-max}), so
 * a quiet market costs a few reconnects an hour, not a storm. Used on the feed's event loop only.
 */
final class Watchdog {
    enum Verdict {
        FINE, HALF_OPEN, STALE
    }

    private final CaptureConfig.Feed config;
    private final Counter halfOpen;
    private final Counter stale;
    /** Stale replacements since the last data frame. */
    private int staleStreak;

    Watchdog(CaptureConfig.Feed config, MeterRegistry registry) {
        this.config = config;
        this.halfOpen = Counter.builder("capture.feed.half.open")
                .description("Connections replaced because nothing (no frame, no pong) arrived for the silence timeout")
                .register(registry);
        this.stale = Counter.builder("capture.feed.stale")
                .description("Connections replaced because no data frame arrived for the data timeout, while pings "
                        + "and heartbeats were answered")
                .register(registry);
    }

    /** The verdict at {@code nowNanos} on a connection; a half-open or stale one is counted and logged. */
    Verdict check(long nowNanos, long lastActivityNanos, long lastDataNanos) {
        long silentNanos = nowNanos - lastActivityNanos;
        long noDataNanos = nowNanos - lastDataNanos;
        long dataTimeoutNanos = dataTimeoutNanos();
        if (silentNanos > config.silenceTimeout().toNanos()) {
            Log.warnf("Nothing received for %d ms (no frame, no pong): the connection is half-open; replacing it",
                    silentNanos / 1_000_000);
            halfOpen.increment();
            return Verdict.HALF_OPEN;
        }
        if (dataTimeoutNanos > 0 && noDataNanos > dataTimeoutNanos) {
            Log.warnf("No data frame for %d ms while pings and heartbeats were answered: the connection is stale; "
                    + "replacing it", noDataNanos / 1_000_000);
            stale.increment();
            staleStreak++;
            return Verdict.STALE;
        }
        return Verdict.FINE;
    }

    /** A data frame arrived: the data timeout is back to {@code data-timeout}. */
    void data() {
        staleStreak = 0;
    }

    /** The data timeout, doubled per stale replacement since the last data frame, capped; 0 when off. */
    private long dataTimeoutNanos() {
        long base = config.dataTimeout().toNanos();
        if (base <= 0) {
            return 0;
        }
        long max = config.dataTimeoutMax().toNanos();
        long timeout = base;
        for (int i = 0; i < staleStreak && timeout < max; i++) {
            timeout *= 2;
        }
        return Math.max(base, Math.min(timeout, max));
    }
}
