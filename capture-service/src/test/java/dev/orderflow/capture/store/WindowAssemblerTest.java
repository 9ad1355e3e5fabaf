package dev.orderflow.capture.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class WindowAssemblerTest {
    private static final long GRACE = 300_000;
    private static final long RETENTION = 60_000_000;
    /** A window start well after the assembler's start, so windows are not taken as possibly stored already. */
    private static final long W = 1_786_269_861_000_000L;

    private final RecordingQueue queue = new RecordingQueue();
    private final WindowAssembler assembler = new WindowAssembler(queue, GRACE, RETENTION, W - 10_000_000);
    private int nextId;

    @Test
    void shouldHandOverWindowOnlyAfterItsEndPlusGraceWithEventsInArrivalOrder() {
        CapturedEvent a = event(W + 200_000, W + 210_000);
        CapturedEvent b = event(W + 100_000, W + 220_000); // earlier exchange time, arrived later
        CapturedEvent c = event(W + 999_000, W + 999_500);
        CapturedEvent next = event(W + 1_500_000, W + 1_500_100);
        for (CapturedEvent e : List.of(a, b, c, next)) {
            assembler.add("btcusd", Channel.ORDERS, e);
        }

        assembler.tick(W + 1_000_000 + GRACE);
        assertTrue(queue.jobs.isEmpty(), "not sealed before end + grace");

        assembler.tick(W + 1_000_000 + GRACE + 1);
        assertEquals(1, queue.jobs.size());
        WindowJob job = queue.jobs.get(0);
        assertEquals(W, job.windowStartMicros());
        assertEquals(List.of(a, b, c), job.events());
        assertEquals(0, job.alreadyHandedOver());
        assertFalse(job.mergeWithStored());

        assembler.tick(W + 2_000_000 + GRACE + 1);
        assertEquals(2, queue.jobs.size());
        assertEquals(List.of(next), queue.jobs.get(1).events());
    }

    @Test
    void shouldKeepPairsAndChannelsApart() {
        assembler.add("btcusd", Channel.ORDERS, event(W + 1, W + 2));
        assembler.add("btcusd", Channel.TRADES, event(W + 3, W + 4));
        assembler.add("ethusd", Channel.ORDERS, event(W + 5, W + 6));
        assembler.tick(W + 2_000_000);

        assertEquals(3, queue.jobs.size());
        assertEquals(3, queue.jobs.stream().map(j -> TableLayout.chunkPk(j.pair(), j.channel())).distinct().count());
        queue.jobs.forEach(j -> assertEquals(1, j.events().size()));
    }

    @Test
    void shouldSplitWindowIntoPartsInOrder() {
        List<CapturedEvent> events = new ArrayList<>();
        for (int i = 0; i < TableLayout.MAX_EVENTS_PER_PART * 2 + 1; i++) {
            CapturedEvent e = event(W + i * 100L, W + i * 100L + 5);
            events.add(e);
            assembler.add("btcusd", Channel.ORDERS, e);
        }
        assembler.tick(W + 2_000_000);

        List<Chunk> parts = queue.jobs.get(0).parts();
        assertEquals(3, parts.size());
        assertEquals(List.of(0, 1, 2), parts.stream().map(Chunk::part).toList());
        assertEquals(List.of(TableLayout.MAX_EVENTS_PER_PART, TableLayout.MAX_EVENTS_PER_PART, 1),
                parts.stream().map(p -> p.events().size()).toList());
        assertEquals(events, parts.stream().flatMap(p -> p.events().stream()).toList());
        assertEquals(List.of("1786269861000#000", "1786269861000#001", "1786269861000#002"),
                parts.stream().map(p -> TableLayout.toItem(p).get(TableLayout.SK).s()).toList());
    }

    @Test
    void shouldRewriteWholeWindowUnderSameKeysWhenEventArrivesLate() {
        CapturedEvent first = event(W + 10, W + 20);
        assembler.add("btcusd", Channel.TRADES, first);
        assembler.tick(W + 1_400_000);
        CapturedEvent late = event(W + 900_000, W + 5_000_000);
        assembler.add("btcusd", Channel.TRADES, late);
        assembler.tick(W + 5_000_001);

        assertEquals(2, queue.jobs.size());
        WindowJob rewrite = queue.jobs.get(1);
        assertEquals(List.of(first, late), rewrite.events());
        assertEquals(1, rewrite.alreadyHandedOver());
        assertEquals(keys(queue.jobs.get(0)), keys(rewrite));

        assembler.tick(W + 6_000_000);
        assertEquals(2, queue.jobs.size(), "nothing new, nothing written again");
    }

    @Test
    void shouldMergeWithStoredWhenLateEventComesAfterWindowWasForgotten() {
        assembler.add("btcusd", Channel.ORDERS, event(W + 10, W + 20));
        assembler.tick(W + 1_400_000);
        assembler.tick(W + 1_400_000 + RETENTION + 1); // forgotten
        CapturedEvent veryLate = event(W + 500, W + RETENTION + 3_000_000);
        assembler.add("btcusd", Channel.ORDERS, veryLate);
        assembler.tick(W + RETENTION + 3_000_001);

        WindowJob job = queue.jobs.get(1);
        assertEquals(List.of(veryLate), job.events());
        assertTrue(job.mergeWithStored(), "memory no longer holds the stored events of this window");
    }

    @Test
    void shouldMergeWithStoredForWindowsThatBeganBeforeStart() {
        WindowAssembler restarted = new WindowAssembler(queue, GRACE, RETENTION, W + 500_000);
        restarted.add("btcusd", Channel.ORDERS, event(W + 600_000, W + 600_100));
        restarted.add("btcusd", Channel.ORDERS, event(W + 1_600_000, W + 1_600_100));
        restarted.tick(W + 3_000_000);

        assertEquals(List.of(true, false), queue.jobs.stream().map(WindowJob::mergeWithStored).toList());
    }

    @Test
    void shouldKeepSealedWindowsWhileQueueIsFullAndOfferThemAgain() {
        CapturedEvent e = event(W + 10, W + 20);
        assembler.add("btcusd", Channel.ORDERS, e);
        queue.full = true;
        assembler.tick(W + 1_400_000);
        assertTrue(queue.jobs.isEmpty());
        assertEquals(1, assembler.pendingEvents());

        queue.full = false;
        assembler.tick(W + 1_500_000);
        assertEquals(List.of(e), queue.jobs.get(0).events());
        assertEquals(0, assembler.pendingEvents());
    }

    @Test
    void shouldSpillSealedWindowsPastTheMemoryBoundAndHandThemOverOnceRestoredFromTheJournal() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        WindowAssembler bounded = new WindowAssembler(queue, GRACE, RETENTION, W - 10_000_000, 3, registry);
        CapturedEvent a1 = event(W + 10, W + 20);
        CapturedEvent a2 = event(W + 500, W + 30);
        CapturedEvent b1 = event(W + 1_000_100, W + 1_000_100);
        queue.full = true;
        for (CapturedEvent e : List.of(a1, a2, b1)) {
            bounded.add("btcusd", Channel.ORDERS, e);
        }
        bounded.tick(W + 1_400_000);
        assertEquals(3, bounded.pendingEvents(), "at the bound, nothing spilled yet");
        assertFalse(bounded.hasSpilled());

        CapturedEvent b2 = event(W + 1_000_200, W + 1_400_100);
        bounded.add("btcusd", Channel.ORDERS, b2);
        assertEquals(2, bounded.pendingEvents(), "the sealed window's events were dropped, the open one kept");
        assertTrue(bounded.hasSpilled());
        assertEquals(2.0, registry.counter("capture.journal.spilled.events").count());
        assertEquals(W + 20, bounded.oldestPendingReceivedMicros(), "the journal keeps the spilled events");

        CapturedEvent a3 = event(W + 900, W + 1_450_000); // late, for the spilled window
        bounded.add("btcusd", Channel.ORDERS, a3);
        queue.full = false;
        bounded.tick(W + 1_500_000);
        assertTrue(queue.jobs.isEmpty(), "a spilled window waits for its events from the journal");

        List<WindowAssembler.Spilled> toRestore = bounded.spilledToRestore(10);
        assertEquals(List.of(new WindowAssembler.Spilled("btcusd", Channel.ORDERS, W, W + 20, W + 30, 2)),
                toRestore);
        WindowAssembler.Spilled stale = new WindowAssembler.Spilled("btcusd", Channel.ORDERS, W, W + 20, W + 20, 1);
        bounded.restore(stale, List.of(copy(a1)));
        assertTrue(bounded.hasSpilled(), "a window spilled again since it was named is not restored from a part");
        // As re-read from the journal: other objects, same frames; a3 is in the journal too.
        bounded.restore(toRestore.get(0), List.of(copy(a1), copy(a2), copy(a3)));
        assertFalse(bounded.hasSpilled());
        assertEquals(5, bounded.pendingEvents());

        bounded.tick(W + 2_400_000);
        assertEquals(2, queue.jobs.size());
        WindowJob restored = queue.jobs.get(0);
        assertEquals(W, restored.windowStartMicros());
        assertEquals(List.of(a1.frame(), a2.frame(), a3.frame()),
                restored.events().stream().map(CapturedEvent::frame).toList());
        assertTrue(restored.mergeWithStored(), "earlier parts of a spilled window may be stored already");
        assertEquals(List.of(b1, b2), queue.jobs.get(1).events());
        assertEquals(0, bounded.pendingEvents());
        assertEquals(Long.MAX_VALUE, bounded.oldestPendingReceivedMicros());
    }

    private static CapturedEvent copy(CapturedEvent e) {
        return new CapturedEvent(e.microtimestamp(), e.receivedMicros(), e.frame().deepCopy());
    }

    @Test
    void shouldHandOverOpenWindowsWhenSealingAll() {
        CapturedEvent e = event(W + 10, W + 20);
        assembler.add("btcusd", Channel.ORDERS, e);
        assembler.tick(W + 30);
        assertTrue(queue.jobs.isEmpty());

        assembler.sealAll();
        assertEquals(List.of(e), queue.jobs.get(0).events());
        assembler.sealAll();
        assertEquals(1, queue.jobs.size(), "each event handed over once");
    }

    @Test
    void shouldDeriveKeysFromContentOnlySoReplayWritesSameItems() {
        List<CapturedEvent> events = List.of(event(W + 10, W + 20), event(W + 300, W + 400));
        RecordingQueue replayQueue = new RecordingQueue();
        WindowAssembler replay = new WindowAssembler(replayQueue, GRACE, RETENTION, W - 10_000_000);
        for (CapturedEvent e : events) {
            assembler.add("ethusd", Channel.ORDERS, e);
            // the replay receives the same frames at another time
            replay.add("ethusd", Channel.ORDERS,
                    new CapturedEvent(e.microtimestamp(), e.receivedMicros() + 777, e.frame()));
        }
        assembler.tick(W + 2_000_000);
        replay.tick(W + 2_000_000);

        assertEquals(keys(queue.jobs.get(0)), keys(replayQueue.jobs.get(0)));
        assertEquals(queue.jobs.get(0).events().stream().map(CapturedEvent::frame).toList(),
                replayQueue.jobs.get(0).events().stream().map(CapturedEvent::frame).toList());
    }

    private static List<String> keys(WindowJob job) {
        return job.parts().stream().map(TableLayout::toItem)
                .map((Map<String, AttributeValue> item) -> item.get(TableLayout.PK).s() + " " + item.get(TableLayout.SK).s())
                .toList();
    }

    private CapturedEvent event(long microtimestamp, long receivedMicros) {
        ObjectNode frame = Frames.MAPPER.createObjectNode();
        frame.putObject("data").put("id_str", Integer.toString(nextId++))
                .put("microtimestamp", Long.toString(microtimestamp));
        frame.put("channel", "live_orders_btcusd").put("event", "order_created");
        return new CapturedEvent(microtimestamp, receivedMicros, frame);
    }
}
