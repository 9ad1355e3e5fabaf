package dev.orderflow.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class WatermarkClockTest {
    private static final long T0 = 1_796_000_000_000_000L;

    private final AtomicLong wall = new AtomicLong(T0);
    private final AtomicLong monotonicMicros = new AtomicLong(5_000_000);
    private final WatermarkClock clock = new WatermarkClock(wall::get, () -> monotonicMicros.get() * 1_000);

    /** Real time passes: both clocks advance, and the exchange stamps an event 20 ms before it arrives. */
    private void pass(long micros) {
        wall.addAndGet(micros);
        monotonicMicros.addAndGet(micros);
        clock.observed(realTime() - 20_000);
    }

    private long realTime() {
        return T0 + monotonicMicros.get() - 5_000_000;
    }

    @Test
    void shouldFollowTheHostsClockWhileItRunsWithTheMonotonicOne() {
        for (int i = 0; i < 100; i++) {
            pass(100_000);
            wall.addAndGet(20); // slewed: 200 ppm ahead
            assertEquals(wall.get(), clock.nowMicros());
        }
        assertFalse(clock.stepped());
    }

    @Test
    void shouldNotFollowAForwardStepTheExchangesEventsDoNotConfirm() {
        pass(1_000_000);
        assertEquals(wall.get(), clock.nowMicros());
        wall.addAndGet(60_000_000); // a bad time source
        for (int i = 0; i < 10; i++) {
            pass(1_000_000);
            assertEquals(realTime(), clock.nowMicros(), "the time from before the step, carried on");
        }
        assertTrue(clock.stepped());

        wall.addAndGet(-60_000_000); // corrected back
        assertEquals(wall.get(), clock.nowMicros());
        assertFalse(clock.stepped());
    }

    @Test
    void shouldFollowAForwardStepOnceTheExchangesEventsReachIt() {
        wall.addAndGet(-90_000_000); // booted 90 s behind
        pass(1_000_000);
        assertEquals(realTime() - 90_000_000, clock.nowMicros(), "behind: the earlier time is the safe one");
        wall.addAndGet(90_000_000); // chrony steps it right
        assertEquals(wall.get(), clock.nowMicros(), "the exchange's events say that time has come");
        assertFalse(clock.stepped());
    }

    @Test
    void shouldFollowTheHostsClockBeforeAnyEvent() {
        assertEquals(wall.get(), clock.nowMicros());
        wall.addAndGet(60_000_000);
        monotonicMicros.addAndGet(1_000);
        assertEquals(T0 + 1_000, clock.nowMicros(), "a step before any event is not followed either");
    }
}
