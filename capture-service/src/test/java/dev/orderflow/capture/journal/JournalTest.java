package dev.orderflow.capture.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class JournalTest {
    private static final long NEVER = Long.MAX_VALUE / 4;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Journal journal(long segmentBytes, long maxBytes) {
        return new Journal(dir, 20_000_000L, 1000, segmentBytes, NEVER, maxBytes, 0.8, registry);
    }

    private List<Journal.Entry> reopen() {
        List<Journal.Entry> replayed = new ArrayList<>();
        Journal again = journal(1 << 20, 1L << 30);
        again.open(replayed::add);
        again.close();
        return replayed;
    }

    @Test
    void shouldReplayEveryAppendedRecordExactlyAfterAReopen() {
        Journal j = journal(1 << 20, 1L << 30);
        j.open(e -> { throw new AssertionError("empty journal replays nothing"); });
        j.append(Journal.FRAME, 100, "{\"event\":\"trade\",\"price_str\":\"0.1000\"}");
        j.append(Journal.GAP, 200, "{\"kind\":\"x\"}");
        j.append(Journal.FRAME, 300, "ünïcødé €");
        assertEquals(2, j.backlogEvents());
        j.close();

        assertEquals(List.of(new Journal.Entry(Journal.FRAME, 100, "{\"event\":\"trade\",\"price_str\":\"0.1000\"}"),
                new Journal.Entry(Journal.GAP, 200, "{\"kind\":\"x\"}"),
                new Journal.Entry(Journal.FRAME, 300, "ünïcødé €")), reopen());
    }

    @Test
    void shouldRereadOnlySegmentsThatMayHoldTheRangeAndKeepThemWhileTheRangeIsPending() {
        Journal j = journal(1 << 20, 1L << 30);
        j.open(e -> { });
        j.append(Journal.FRAME, 100, "early");
        j.roll();
        j.append(Journal.FRAME, 200, "spilled-1");
        j.append(Journal.FRAME, 250, "spilled-2");
        j.roll();
        j.append(Journal.FRAME, 300, "later, still in the open segment");

        List<String> reread = new ArrayList<>();
        assertEquals(2, j.reread(200, 250, e -> reread.add(e.text())));
        assertEquals(List.of("spilled-1", "spilled-2"), reread);

        reread.clear();
        j.reread(250, 300, e -> reread.add(e.text()));
        assertEquals(List.of("spilled-1", "spilled-2", "later, still in the open segment"), reread,
                "the open segment is closed to be read");

        j.release(200, 0, 0); // the spilled events are still pending: only the first segment may go
        assertEquals(3, j.backlogEvents());
        j.close();
    }

    @Test
    void shouldCutATornTailAndKeepEveryRecordBeforeIt() throws IOException {
        Journal j = journal(1 << 20, 1L << 30);
        j.open(e -> { });
        j.append(Journal.FRAME, 1, "first");
        j.append(Journal.FRAME, 2, "second");
        j.append(Journal.FRAME, 3, "third, cut in the middle by a crash");
        j.close();
        Path segment = onlySegment();
        long full = Files.size(segment);
        try (var ch = java.nio.channels.FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(full - 10);
        }

        assertEquals(List.of("first", "second"), reopen().stream().map(Journal.Entry::text).toList());
        assertEquals(2 * (Journal.HEADER + Journal.BODY_PREFIX) + "first".length() + "second".length(),
                Files.size(onlySegment()), "the torn record is cut off the file");
        assertEquals(List.of("first", "second"), reopen().stream().map(Journal.Entry::text).toList());
    }

    @Test
    void shouldDetectACorruptRecordByItsChecksum() throws IOException {
        Journal j = journal(1 << 20, 1L << 30);
        j.open(e -> { });
        j.append(Journal.FRAME, 1, "good");
        j.append(Journal.FRAME, 2, "flipped");
        j.close();
        Path segment = onlySegment();
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length - 2] ^= 0x20;
        Files.write(segment, bytes);

        assertEquals(List.of("good"), reopen().stream().map(Journal.Entry::text).toList());
    }

    @Test
    void shouldDeleteASegmentOnlyOnceEverythingHandedOverUpToItIsConfirmed() throws IOException {
        Journal j = journal(1 << 20, 1L << 30);
        j.open(e -> { });
        j.append(Journal.FRAME, 1_000, "a");
        j.append(Journal.FRAME, 2_000, "b");
        j.roll();
        j.append(Journal.FRAME, 3_000, "c");
        j.roll();
        assertEquals(3, segments().size(), "two closed segments and the current one");

        j.release(2_000, 5, 4); // "b" (received at 2 000) still waits in the assembler
        assertEquals(3, segments().size());
        j.release(2_500, 7, 6); // handed over as job 7, not yet confirmed
        assertEquals(3, segments().size());
        j.release(2_500, 8, 7);
        assertEquals(2, segments().size(), "the first segment is confirmed");
        assertEquals(1, j.backlogEvents());
        assertTrue(j.oldestUnconfirmedAgeSeconds() > 0, "c (received at 3 000 µs) is not confirmed");
        j.release(NEVER, 9, 9);
        assertEquals(1, segments().size(), "only the empty current segment is left");
        assertEquals(0.0, j.oldestUnconfirmedAgeSeconds());
        assertEquals(0, j.backlogBytes());
        j.close();
        assertEquals(List.of(), reopen());
    }

    @Test
    void shouldRollSegmentsAtTheirSizeAndStopJournalingPastTheBound() throws IOException {
        Journal j = journal(100, 300);
        j.open(e -> { });
        int appended = 0;
        for (int i = 0; i < 20; i++) {
            if (j.append(Journal.FRAME, i, "x".repeat(40))) {
                appended++;
            }
        }
        assertTrue(appended >= 5 && appended < 10, "about 300 bytes of 57-byte records: " + appended);
        assertEquals(20 - appended, registry.get("capture.journal.unjournaled").counter().count());
        assertTrue(segments().size() > 1, "rolled at 100 bytes");
        j.close();
        assertEquals(appended, reopen().size());
    }

    @Test
    void shouldMeasureTheDelayFromReceivingToFsync() throws InterruptedException, IOException {
        Journal j = journal(1 << 20, 1L << 30);
        j.open(e -> { });
        j.append(Journal.FRAME, dev.orderflow.capture.Clock.nowMicros(), "x");
        Thread.sleep(200);
        var timer = registry.get("capture.journal.durable.delay").timer();
        assertEquals(1, timer.count(), "forced by the fsync thread within its interval");
        assertTrue(timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) < 150);
        j.close();
        assertFalse(segments().isEmpty());
    }

    private Path onlySegment() throws IOException {
        List<Path> all = segments();
        assertEquals(1, all.size(), all.toString());
        return all.get(0);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().equals(JournalLock.FILE)).sorted().toList();
        }
    }
}
