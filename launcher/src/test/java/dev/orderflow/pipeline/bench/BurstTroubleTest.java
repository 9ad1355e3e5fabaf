package dev.orderflow.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(600)
class BurstTroubleTest {
    private static final String STARTED = "2026-12-07 02:40:01,001 INFO  [io.quarkus] capture started";
    private static final String MERGED_BEFORE = "2026-12-07 02:40:05,120 INFO  [dev.orderflow.capture.store.StoredParts]"
            + " Merged btcusd#orders 1733539200000000#000: 1 event(s) added, parts [0] cut anew, of 1 stored";
    private static final String RETRIED = "2026-12-07 02:41:10,300 WARN  [dev.orderflow.capture.store.Retries]"
            + " DynamoDB call failed; retrying with backoff (the journal keeps everything meanwhile): timeout";
    private static final String OVERLAP = "2026-12-07 02:41:11,010 INFO  [dev.orderflow.capture.store.Writer] Part 7 of"
            + " btcusd#orders 1733539260000000#000 overlaps a part before it: merging";

    @Test
    void shouldTellOnlyWhatTheBurstLoggedAfterTheLineLastSeenBeforeIt() {
        List<String> lines = List.of(STARTED, MERGED_BEFORE, "2026-12-07 02:41:00,000 INFO  [x] steady", RETRIED,
                "2026-12-07 02:41:10,900 INFO  [x] unrelated", OVERLAP);
        assertEquals(List.of(RETRIED, OVERLAP), BurstTrouble.told(lines, "2026-12-07 02:41:00,000 INFO  [x] steady"));
    }

    @Test
    void shouldTellEveryMatchingLineWhenTheLineBeforeHasLeftTheTail() {
        List<String> lines = List.of(MERGED_BEFORE, RETRIED);
        assertEquals(List.of(MERGED_BEFORE, RETRIED), BurstTrouble.told(lines, "gone from the 40 lines kept"));
        assertEquals(List.of(MERGED_BEFORE, RETRIED), BurstTrouble.told(lines, null));
    }

    @Test
    void shouldShowTheFirstLinesAndCountTheRest() {
        List<String> many = java.util.stream.IntStream.range(0, 11).mapToObj(i -> RETRIED + " #" + i).toList();
        List<String> shown = BurstTrouble.shown(many);
        assertEquals(9, shown.size());
        assertEquals(RETRIED + " #0", shown.get(0));
        assertEquals("(3 more such lines)", shown.get(8));
        assertEquals(List.of(), BurstTrouble.told(List.of(STARTED), null));
    }
}
