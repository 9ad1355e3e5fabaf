package dev.orderflow.capture.journal;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import dev.orderflow.capture.Clock;
import io.micrometer.core.instrument.Timer;

/**
 * The receive times of the journal's records written to their segment but not yet forced to disk, in order; once
 * they are, each one's delay from receipt to durable is recorded ({@code capture.journal.durable.delay}). Not
 * thread-safe: the journal's lock guards it.
 */
final class Unsynced {
    private final Timer durableDelay;
    private long[] receivedMicros = new long[1024];
    private int count;

    Unsynced(Timer durableDelay) {
        this.durableDelay = durableDelay;
    }

    void add(long received) {
        if (count == receivedMicros.length) {
            receivedMicros = Arrays.copyOf(receivedMicros, receivedMicros.length * 2);
        }
        receivedMicros[count++] = received;
    }

    int count() {
        return count;
    }

    /** Forgets them all, unmeasured: their segment was closed without being forced to disk. */
    void clear() {
        count = 0;
    }

    /** The first {@code records} are durable now. */
    void durable(int records) {
        long now = Clock.nowMicros();
        for (int i = 0; i < records; i++) {
            durableDelay.record(Math.max(0, now - receivedMicros[i]), TimeUnit.MICROSECONDS);
        }
        System.arraycopy(receivedMicros, records, receivedMicros, 0, count - records);
        count -= records;
    }
}
