package dev.orderflow.simulator.rest;

import java.util.ArrayDeque;

/**
 * The exchange's REST rate limits: at most {@code perSecond} requests in any second and {@code perTenMinutes} in
 * any 10 minutes (sliding windows); 0 = no limit. A refused request does not count. Used on the event loop only.
 */
final class RateLimits {
    private static final long SECOND_NANOS = 1_000_000_000L;
    private static final long TEN_MINUTES_NANOS = 600 * SECOND_NANOS;

    private final int perSecond;
    private final int perTenMinutes;
    private final ArrayDeque<Long> lastSecond = new ArrayDeque<>();
    private final ArrayDeque<Long> lastTenMinutes = new ArrayDeque<>();
    private long refused;

    RateLimits(int perSecond, int perTenMinutes) {
        this.perSecond = perSecond;
        this.perTenMinutes = perTenMinutes;
    }

    /** Counts a request at {@code nanos} (a monotonic clock) and says whether it is within the limits. */
    boolean admit(long nanos) {
        expire(lastSecond, nanos - SECOND_NANOS);
        expire(lastTenMinutes, nanos - TEN_MINUTES_NANOS);
        if ((perSecond > 0 && lastSecond.size() >= perSecond)
                || (perTenMinutes > 0 && lastTenMinutes.size() >= perTenMinutes)) {
            refused++;
            return false;
        }
        if (perSecond > 0) {
            lastSecond.addLast(nanos);
        }
        if (perTenMinutes > 0) {
            lastTenMinutes.addLast(nanos);
        }
        return true;
    }

    /** Counts a request refused whatever the rate (a fault); returns true. */
    boolean refuse() {
        refused++;
        return true;
    }

    long refused() {
        return refused;
    }

    private static void expire(ArrayDeque<Long> window, long before) {
        while (!window.isEmpty() && window.peekFirst() <= before) {
            window.removeFirst();
        }
    }
}
