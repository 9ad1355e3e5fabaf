package dev.orderflow.simulator.world;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EventIdChainTest {
    private static final long MICROS = 0x0006589a5d2d1378L;

    @Test
    void shouldShapeIdsLikeTheExchangesAndChainEachToTheOneBefore() {
        EventIdChain chain = new EventIdChain(0x0103, MICROS);

        EventIdChain.Link first = chain.next(MICROS);
        EventIdChain.Link second = chain.next(MICROS);
        EventIdChain.Link third = chain.next(MICROS + 0xabc);

        assertEquals("0006589a-5d2d-1378-0000-010301000020", first.eventId());
        assertEquals("0006589a-5d2d-0f90-0000-010300000020", first.preEventId(), "a made-up event 1 ms before");
        assertEquals("0006589a-5d2d-1378-0001-010302000020", second.eventId(), "the second event of one µs");
        assertEquals(first.eventId(), second.preEventId());
        assertEquals("0006589a-5d2d-1e34-0000-010303000020", third.eventId());
        assertEquals(MICROS + 0xabc, third.micros());
    }
}
