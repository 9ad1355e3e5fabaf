package dev.orderflow.capture;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter: attempt n waits between half and all of {@code min·2ⁿ}, capped at {@code max}. */
public record Backoff(Duration min, Duration max) {

    public long delayNanos(int attempt) {
        long cap = Math.min(max.toNanos(), min.toNanos() << Math.min(Math.max(attempt, 0), 30));
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    public long delayMillis(int attempt) {
        return Math.max(1, delayNanos(attempt) / 1_000_000);
    }
}
