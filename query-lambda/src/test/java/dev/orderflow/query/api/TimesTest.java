package dev.orderflow.query.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(600)
class TimesTest {
    private static final long NOON = 1_777_636_800_000_000L; // 2026-05-01T12:00:00Z

    @Test
    void shouldReadEveryDocumentedFormAsTheSameInstant() {
        assertEquals(NOON, Times.parse("from", "2026-05-01T12:00:00Z"));
        assertEquals(NOON, Times.parse("from", "2026-05-01T14:00:00+02:00"));
        assertEquals(NOON, Times.parse("from", "2026-05-01T14:00:00 02:00"), "a '+' decoded as a space");
        assertEquals(NOON, Times.parse("from", "2026-05-01T12:00:00"), "no offset: UTC");
        assertEquals(NOON, Times.parse("from", "2026-05-01t12:00:00z"));
        assertEquals(NOON, Times.parse("from", "1777636800000"), "epoch milliseconds");
        assertEquals(NOON - 12 * 3_600_000_000L, Times.parse("from", "2026-05-01"), "a date: midnight UTC");
    }

    @Test
    void shouldKeepMicrosecondsAndDropFinerDigits() {
        assertEquals(NOON + 123_456, Times.parse("to", "2026-05-01T12:00:00.123456Z"));
        assertEquals(NOON + 123_456, Times.parse("to", "2026-05-01T12:00:00.123456789Z"));
    }

    @Test
    void shouldRejectWhatIsNotATimeNamingTheParameter() {
        for (String bad : new String[] {"noon", "2026-05-01T25:00:00Z", "2026-02-30", "-1", "1.5", "0x10",
                "2026-05-01T12:00:00+19:00", "9".repeat(16), "1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z"}) {
            Problem problem = assertThrows(Problem.class, () -> Times.parse("to", bad), bad);
            assertEquals("to", problem.parameter());
            assertEquals(400, problem.status());
        }
    }

    @Test
    void shouldWriteUtcWithSixFractionDigits() {
        assertEquals("2026-05-01T12:00:00.000000Z", Times.iso(NOON));
        assertEquals("2026-05-01T12:00:00.000001Z", Times.iso(NOON + 1));
        assertEquals("1970-01-01T00:00:00.000000Z", Times.iso(0));
        assertEquals("2199-12-31T23:59:59.999999Z", Times.iso(Times.MAX_MICROS - 1));
        for (long t = 0; t < Times.MAX_MICROS; t += 987_654_321_012_345L) {
            assertEquals(t, Times.parse("from", Times.iso(t)), "round trip of " + t);
        }
    }
}
