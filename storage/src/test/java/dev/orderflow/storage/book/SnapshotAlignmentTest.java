package dev.orderflow.storage.book;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.Side;

/** The alignment rule and the order-by-order comparison, on hand-made books. */
@org.junit.jupiter.api.Timeout(60)
class SnapshotAlignmentTest {
    private static final long S = 1_924_941_600_000_000L;
    private static final long MS = 1000L;

    @Test
    void shouldReapplyFromTheStampMinusTheMarginButNeverAcrossAGap() {
        SnapshotAlignment alignment = new SnapshotAlignment(Duration.ofSeconds(1));
        assertEquals(S - 1_000_000L, alignment.replayFromMicros(S, List.of()));
        GapRecord inside = gap(S - 600 * MS, S - 400 * MS);
        assertEquals(S - 400 * MS, alignment.replayFromMicros(S, List.of(inside)));
        GapRecord across = gap(S - 10 * MS, S + 50 * MS);
        assertEquals(S, alignment.replayFromMicros(S, List.of(inside, across)));
        GapRecord before = gap(S - 5_000 * MS, S - 2_000 * MS);
        GapRecord after = gap(S + MS, S + 2 * MS);
        assertEquals(S - 1_000_000L, alignment.replayFromMicros(S, List.of(before, after)));
        assertTrue(alignment.usable(S, S - 1_000_000L));
        assertFalse(alignment.usable(S, S - 999_999L), "an event the rebuild re-applies was not captured");
    }

    @Test
    void shouldCertifyAStaleSnapshotAtThePositionItWasCutAndListEveryDifferenceOfAnEditedOne() throws IOException {
        OrderBook book = OrderBook.fromSnapshot(body("[\"100.0\",\"1\",\"1\"],[\"100.0\",\"2\",\"2\"]",
                "[\"101.0\",\"1\",\"3\"]")).trackRemovals();
        List<OrderEvent> window = new ArrayList<>();
        window.add(new OrderEvent("order_created", "4", Side.BUY, "99.0", "1", S - 300 * MS, "e4"));
        window.add(new OrderEvent("order_deleted", "4", Side.BUY, "99.0", "0", S - 5 * MS, "e5"));
        // the snapshot was cut between the two: it still holds order 4
        ObjectNode stale = body("[\"100.0\",\"1\",\"1\"],[\"100.0\",\"2\",\"2\"],[\"99.0\",\"1.000\",\"4\"]",
                "[\"101.0\",\"1\",\"3\"]");
        Verdict certified = Certification.check(book.copy(), window, stale, S - 60_000_000L, S);
        assertEquals(Verdict.Status.CERTIFIED, certified.status(), certified.toString());

        ObjectNode edited = body("[\"100.0\",\"2\",\"2\"],[\"100.0\",\"1\",\"1\"],[\"98.0\",\"1\",\"9\"]",
                "[\"101.0\",\"0.5\",\"3\"]");
        Verdict contradicted = Certification.check(book, window, edited, S - 60_000_000L, S);
        assertEquals(Verdict.Status.CONTRADICTED, contradicted.status());
        assertEquals(1, contradicted.missing());
        assertEquals(0, contradicted.extra());
        assertEquals(1, contradicted.differing());
        assertEquals(1, contradicted.queueLevels());
        assertEquals(List.of("missing 9", "differs 3", "queue_order 2"), contradicted.differences().stream()
                .map(d -> d.kind() + " " + d.id()).sorted((a, b) -> order(a) - order(b)).toList());
    }

    private static int order(String kind) {
        return kind.startsWith("missing") ? 0 : kind.startsWith("differs") ? 1 : 2;
    }

    private static GapRecord gap(long from, long to) {
        return new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.CHAIN_BREAK, from, to, null, null, null, null);
    }

    private static ObjectNode body(String bids, String asks) throws IOException {
        return Frames.parse("{\"microtimestamp\":\"" + S + "\",\"bids\":[" + bids + "],\"asks\":[" + asks + "]}");
    }
}
