package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CoverageRuleTest {
    @Test
    void shouldNotCountTheFirstStoredEventsOwnMillisecondComplete() {
        long first = 1_786_269_861_947_000L;
        assertEquals(List.of(CoverageRule.BEFORE_FIRST_EVENT),
                CoverageRule.reasons(first, first + 1_000, false, first + 5_000, first, 0),
                "a host subscribing within that millisecond may have missed its earlier events");
        assertEquals(List.of(), CoverageRule.reasons(first + 1, first + 1_000, false, first + 5_000, first, 0));
    }

    @Test
    void shouldGiveEveryReasonInOrder() {
        assertEquals(List.of("gaps", "after_confirmed_writes", "before_first_event", "unreadable_chunks"),
                CoverageRule.reasons(10, 20, true, 15L, null, 1));
        assertEquals(List.of(), CoverageRule.reasons(10, 20, false, 20L, 9L, 0), "up to the watermark: complete");
        assertEquals(List.of("after_confirmed_writes"), CoverageRule.reasons(10, 21, false, 20L, 9L, 0));
    }
}
