package dev.orderflow.capture.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

@Timeout(60)
class WindowsTest {
    private static final Channel.WireChannel BTC = Channel.parseWire("live_orders_btcusd").orElseThrow();
    private static final long T = 1_790_000_000_000_000L;
    private static final byte[] FRAME = ("{\"event\":\"order_created\",\"channel\":\"live_orders_btcusd\",\"data\":{"
            + "\"microtimestamp\":\"1790000000000000\",\"id\":1,\"price_str\":\"1.0\"}}").getBytes(StandardCharsets.UTF_8);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void shouldSealAWindowOnlyOnceTheClockIsPastItsEndAndGrace() throws InterruptedException {
        Windows windows = new Windows(300_000, 1L << 30, registry);
        windows.accept(event(0, T + 100, T + 50));
        windows.accept(event(1, T + 900_000, T + 800_000));
        windows.tick(T + 10_300_000);
        assertEquals(0, windows.queuedJobs(), "within the grace");
        windows.tick(T + 10_300_001);
        Job.Window w = (Job.Window) windows.take(0);
        assertEquals(2, w.events().size());
        assertEquals(0, w.part());
        assertEquals(T + 50, w.fromMicros());
        assertEquals(0, w.minSeq());
        assertEquals(2 * (FRAME.length + Held.OVERHEAD), w.bytes());
    }

    @Test
    void shouldCloseAPartOlderThanAShorterMaxAgeAndKeepTheWindowOpen() throws InterruptedException {
        Windows windows = new Windows(300_000, 2_000_000, 1L << 30, registry);
        windows.accept(event(0, T + 100, T + 50));
        windows.tick(T + 2_000_100);
        assertEquals(0, windows.queuedJobs(), "not older than the max age yet");
        windows.tick(T + 2_000_101);
        Job.Window first = (Job.Window) windows.take(0);
        assertEquals(0, first.part());
        assertTrue(first.closedByBytes(), "closed before its window");
        windows.accept(event(1, T + 3_000_000, T + 2_900_000));
        windows.tick(T + 10_300_001);
        Job.Window second = (Job.Window) windows.take(0);
        assertEquals(1, second.part(), "the window's next part");
        assertFalse(second.closedByBytes());
        assertEquals(0, windows.queuedJobs());
    }

    @Test
    void shouldNotCutAPartByAgeWithTheDefaultMaxAgeOfOneWindow() throws InterruptedException {
        Windows windows = new Windows(300_000, TableLayout.SLOT_MICROS, 1L << 30, registry);
        windows.accept(event(0, T + 100, T + 50));
        windows.accept(event(1, T + 10_000_000, T + 9_999_000)); // received as the window ends
        windows.accept(event(2, T + 10_200_000, T + 10_100_000)); // the next window, within the grace
        windows.tick(T + 10_250_000);
        assertEquals(0, windows.queuedJobs(), "the window waits for its grace, whatever its first event's age");
        windows.tick(T + 10_500_001); // the stream quiet for the grace
        assertEquals(2, ((Job.Window) windows.take(0)).events().size());
        assertEquals(0, windows.queuedJobs());
    }

    @Test
    void shouldReleaseJournalPositionsOnlyOnceTheirJobsAreStored() throws InterruptedException {
        Windows windows = new Windows(300_000, 1L << 30, registry);
        windows.accept(event(5, T, T));
        windows.accept(event(6, T + 10_000_000, T + 10_000_000)); // next window
        assertEquals(5, windows.storedBelow(7));
        windows.tick(T + 10_400_000);
        Job first = windows.take(0);
        assertEquals(5, windows.storedBelow(7), "sealed is not stored");
        windows.stored(first);
        assertEquals(6, windows.storedBelow(7));
        windows.sealAll();
        windows.stored(windows.take(0));
        assertEquals(7, windows.storedBelow(7));
        assertEquals(0, windows.heldBytes());
    }

    @Test
    void shouldNeverConfirmTimePastAnUnstoredWindowOrGapRecord() throws InterruptedException {
        Windows windows = new Windows(300_000, 1L << 30, registry);
        Windows.Stream stream = new Windows.Stream("btcusd", Channel.ORDERS);
        windows.accept(event(0, T, T));
        windows.tick(T + 20_000_000);
        assertEquals(T, windows.confirmedUntil(stream), "the window of T is sealed but not stored");
        Job job = windows.take(0);
        windows.stored(job);
        assertEquals(T + 18_700_000, windows.confirmedUntil(stream), "up to the clock less grace and a second");

        GapRecord gap = new GapRecord("btcusd", Channel.ORDERS, GapRecord.Kind.DISCONNECT, T + 2_000_000,
                T + 3_000_000, null, null, null, "x");
        windows.accept(new Input.Other(1, T + 3_000_000, new Job.Gap(gap, T + 3_000_000, 1, 100)));
        assertEquals(T + 2_000_000, windows.confirmedUntil(stream));
        windows.stored(windows.take(0));
        assertEquals(T + 18_700_000, windows.confirmedUntil(stream));
    }

    @Test
    void shouldCloseABusyWindowsPartsByBytesAndItsLastPartWhenSealed() throws InterruptedException {
        Windows windows = new Windows(300_000, 1L << 30, registry);
        Windows.Stream stream = new Windows.Stream("btcusd", Channel.ORDERS);
        long perPart = (TableLayout.partTargetBytes(0) + FRAME.length - 1) / FRAME.length;
        int sent = (int) (perPart * 2 + 3);
        for (int i = 0; i < sent; i++) {
            windows.accept(event(i, T + i * 1_000L, T + i * 1_000L));
        }
        Job.Window first = (Job.Window) windows.take(0);
        Job.Window second = (Job.Window) windows.take(0);
        assertEquals(0, windows.queuedJobs(), "the rest waits for more bytes or the window's end");
        assertEquals(List.of(0, 1), List.of(first.part(), second.part()));
        assertEquals(perPart, first.events().size());
        assertEquals(perPart, second.events().size());
        assertEquals(T + perPart * 1_000L, second.fromMicros());
        windows.stored(first);
        windows.tick(T + 5_000_000);
        assertEquals(0, windows.queuedJobs(), "the window is not due");
        assertEquals(T + perPart * 1_000L, windows.confirmedUntil(stream), "not past the parts not stored");
        windows.tick(T + 10_300_001);
        Job.Window last = (Job.Window) windows.take(0);
        assertEquals(2, last.part());
        assertEquals(3, last.events().size());
        assertEquals(T, last.windowStartMicros());
    }

    @Test
    void shouldCloseAPartSpanningItsMinimumSpanOnceItHoldsAWriteUnitsWorthOfFrames() throws InterruptedException {
        Windows windows = new Windows(300_000, 1L << 30, registry);
        long minEvents = (TableLayout.PART_MIN_BYTES + FRAME.length - 1) / FRAME.length;
        // a channel at a hundred events a second: more than a write unit within the part's minimum span
        int spanned = (int) (TableLayout.PART_MIN_SPAN_MICROS / 10_000L);
        for (int i = 0; i <= spanned; i++) {
            windows.accept(event(i, T + i * 10_000L, T + i * 10_000L));
        }
        Job.Window first = (Job.Window) windows.take(0);
        assertEquals(spanned + 1, first.events().size(), "closed with the first event the span after the part's first");
        assertTrue(first.closedByBytes());
        assertTrue((spanned + 1) * FRAME.length < TableLayout.partTargetBytes(0), "below the byte target");
        assertEquals(0, windows.queuedJobs());

        // when it falls quiet, its last part is closed after the grace if it holds a write unit's worth
        long next = T + TableLayout.PART_MIN_SPAN_MICROS + 10_000L;
        for (int i = 0; i < minEvents; i++) {
            windows.accept(event(spanned + 1 + i, next + i * 1_000L, next + i * 1_000L));
        }
        long lastReceived = next + (minEvents - 1) * 1_000L;
        windows.tick(lastReceived + 300_000);
        assertEquals(0, windows.queuedJobs(), "within the grace");
        windows.tick(lastReceived + 300_001);
        Job.Window tail = (Job.Window) windows.take(0);
        assertEquals(List.of(1, (int) minEvents), List.of(tail.part(), tail.events().size()));

        // a channel just at the busy rate: its part waits for a write unit's worth, then closes
        Windows slower = new Windows(300_000, 1L << 30, registry);
        long busyStep = (TableLayout.PART_MIN_SPAN_MICROS + minEvents - 2) / (minEvents - 1);
        for (int i = 0; i < minEvents; i++) {
            slower.accept(event(i, T + i * busyStep, T + i * busyStep));
            assertEquals(i == minEvents - 1 ? 1 : 0, slower.queuedJobs(), "event " + i);
        }
        // a channel that fills a write unit over more than 2 s and not at the busy rate: written with its window,
        // also when it pauses with a write unit's worth
        Windows slow = new Windows(300_000, 1L << 30, registry);
        long step = TableLayout.PART_EARLY_SPAN_MAX_MICROS / (minEvents - 1) + 1_000L;
        for (int i = 0; i < minEvents + 5; i++) {
            slow.accept(event(i, T + i * step, T + i * step));
        }
        assertEquals(0, slow.queuedJobs(), "not closed early");
        slow.tick(T + (minEvents + 4) * step + 300_001);
        assertEquals(0, slow.queuedJobs(), "not closed when it falls quiet");
        slow.tick(T + 10_300_001);
        assertEquals(minEvents + 5, ((Job.Window) slow.take(0)).events().size(), "one part, with its window");
        // and at one a second, the window's only part is written when it is sealed
        Windows quiet = new Windows(300_000, 1L << 30, registry);
        for (int i = 0; i < 10; i++) {
            quiet.accept(event(i, T + i * 1_000_000L, T + i * 1_000_000L));
        }
        assertEquals(0, quiet.queuedJobs());
        quiet.tick(T + 10_300_001);
        assertEquals(10, ((Job.Window) quiet.take(0)).events().size());
    }

    @Test
    void shouldNumberTheLatePartsOfAWindowSealedDuringAStallAfterItsLastPart() throws InterruptedException {
        Windows windows = new Windows(300_000, 1L << 30, registry);
        long perPart = (TableLayout.partTargetBytes(0) + FRAME.length - 1) / FRAME.length;
        int sent = (int) (perPart + 3);
        for (int i = 0; i < sent; i++) {
            windows.accept(event(i, T + i * 1_000L, T + i * 1_000L));
        }
        // the capture stalls (nothing received for more than the grace) while the clock passes the window's end: the
        // channel looks quiet and the window is sealed, though more of its events are on their way
        windows.tick(T + 10_300_001);
        assertEquals(List.of(0, 1), List.of(((Job.Window) windows.take(0)).part(), ((Job.Window) windows.take(0)).part()));
        windows.accept(event(sent, T + 10_500_000, T + 9_000_000));
        windows.accept(event(sent + 1, T + 10_500_100, T + 9_000_100));
        windows.tick(T + 20_300_001);
        Job.Window late = (Job.Window) windows.take(0);
        assertEquals(T, late.windowStartMicros());
        assertEquals(2, late.events().size());
        assertEquals(2, late.part(), "after the sealed window's last part: numbered from 0, each late part would find"
                + " its number taken and merge the whole window");

        windows.accept(event(sent + 2, T + 20_500_000, T + 9_500_000)); // later still: after that one
        windows.tick(T + 30_300_001);
        assertEquals(3, ((Job.Window) windows.take(0)).part());
    }

    @Test
    void shouldCollectAQuietSlotsWindowsAndSendAWindowOpenedAgainByALateEventAsAnItemOfItsOwn()
            throws InterruptedException {
        Windows windows = new Windows(300_000, TableLayout.SLOT_MICROS, 1L << 30, true, registry);
        windows.accept(event(0, T + 1_000_000, T + 1_000_000));
        windows.accept(new Input.Event("ethusd", Channel.ORDERS, new Held(1, T + 2_000_000, T + 2_000_000, FRAME)));
        windows.tick(T + 10_300_001);
        Job.Quiet quiet = (Job.Quiet) windows.take(0);
        Job next = windows.take(0);
        int windowsQueued = quiet.windows().size() + (next instanceof Job.Quiet other ? other.windows().size() : 0);
        assertEquals(2, windowsQueued, "both quiet windows of the slot, as sections");

        windows.accept(event(2, T + 10_400_000, T + 5_000_000)); // late: its slot was sealed
        windows.tick(T + 20_300_001);
        Job late = windows.take(0);
        assertTrue(late instanceof Job.Window, "a window opened again goes where late events always went: " + late);
    }

    @Test
    void shouldHoldAtMostTheBoundAndReadTheRestBackFromTheJournal() throws Exception {
        RecordingQueue path = new RecordingQueue(registry);
        long bound = 20 * (FRAME.length + Held.OVERHEAD);
        Windows windows = new Windows(300_000, bound, registry);
        Intake intake = new Intake(path.journal, windows);
        int sent = 200;
        long mostHeld = 0;
        for (int i = 0; i < sent; i++) {
            assertTrue(intake.event(BTC, T + i * 10_000L, FRAME, T + i * 10_000L), "journaled, so kept");
            mostHeld = Math.max(mostHeld, windows.heldBytes());
        }
        assertTrue(windows.behind(), "past the bound, the live path is left to the journal");
        List<Held> stored = new ArrayList<>();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (stored.size() < sent) {
            assertTrue(System.nanoTime() < deadline, "everything is read back; stored " + stored.size());
            windows.catchUp(intake, intake);
            windows.tick(T + 100_000_000_000L);
            mostHeld = Math.max(mostHeld, windows.heldBytes());
            for (Job job; (job = windows.take(0)) != null; ) {
                stored.addAll(((Job.Window) job).events());
                windows.stored(job);
            }
        }
        assertTrue(mostHeld <= bound, "held " + mostHeld + " of " + bound);
        assertEquals(sent, stored.size(), "each event once");
        for (int i = 0; i < sent; i++) {
            assertEquals(i, stored.get(i).seq(), "in journal order");
        }
        windows.catchUp(intake, intake);
        assertFalse(windows.behind(), "caught up with the journal: the live path again");
        assertEquals(sent, windows.storedBelow(path.journal.nextSeq()));
    }

    @Test
    void shouldReportARecordLostOnlyWhenItIsNeitherJournaledNorHeld() {
        Windows windows = new Windows(300_000, 2 * (FRAME.length + Held.OVERHEAD), registry);
        assertTrue(windows.offer(event(-1, T, T)), "not journaled, but memory has room");
        assertTrue(windows.offer(event(-1, T + 1, T + 1)));
        assertFalse(windows.offer(event(-1, T + 2, T + 2)), "neither journaled nor room: lost");
        assertTrue(windows.offer(event(7, T + 3, T + 3)), "journaled: read back later");
        assertTrue(windows.behind());
    }

    private static Input.Event event(long seq, long received, long micros) {
        return new Input.Event("btcusd", Channel.ORDERS, new Held(seq, received, micros, FRAME));
    }
}
