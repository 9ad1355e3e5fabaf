package dev.orderflow.capture;

import java.time.Instant;

/** Wall-clock time in µs since the epoch, as the table's timestamps use. */
public final class Clock {
    private Clock() {
    }

    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
