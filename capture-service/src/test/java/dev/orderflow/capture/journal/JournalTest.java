package dev.orderflow.capture.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

@Timeout(60)
class JournalTest {
    private static final long NEVER = Long.MAX_VALUE / 4;

    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Journal journal(SegmentFiles files, long segmentBytes, long maxBytes) {
        return new Journal(dir, files, 20_000_000L, 1000, segmentBytes, NEVER, maxBytes, registry);
    }

    private List<String> reopen() {
        List<String> texts = new ArrayList<>();
        Journal again = journal(SegmentFiles.DISK, 1 << 20, 1L << 30);
        again.open(e -> texts.add(e.type() + ":" + e.receivedMicros() + ":" + text(e)));
        again.close();
        return texts;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Journal.Entry e) {
        return new String(e.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldGiveEveryRecordTheNextPositionAndReadItBackExactlyAfterAReopen() {
        Journal journal = journal(SegmentFiles.DISK, 1 << 20, 1L << 30);
        journal.open(e -> {
        });
        assertEquals(0, journal.append(Journal.EVENT, 100, bytes("{\"price_str\":\"0.1000\"}")));
        assertEquals(1, journal.append(Journal.GAP, 200, bytes("{\"kind\":\"x\"}")));
        assertEquals(2, journal.append(Journal.BAD, 300, bytes("ünïcødé €")));
        List<String> read = new ArrayList<>();
        assertEquals(3, journal.read(1, Long.MAX_VALUE, e -> read.add(e.seq() + ":" + text(e))));
        assertEquals(List.of("1:{\"kind\":\"x\"}", "2:ünïcødé €"), read);
        journal.close();

        assertEquals(List.of("3:100:{\"price_str\":\"0.1000\"}", "2:200:{\"kind\":\"x\"}", "4:300:ünïcødé €"),
                reopen());
    }

    @Test
    void shouldReadInBudgetsAcrossSegmentsFromAnyPosition() {
        Journal journal = journal(SegmentFiles.DISK, 100, 1L << 30);
        journal.open(e -> {
        });
        for (int i = 0; i < 20; i++) {
            journal.append(Journal.EVENT, i, bytes("record-" + i + "-" + "x".repeat(30)));
        }
        List<Long> seqs = new ArrayList<>();
        long next = 0;
        while (next < journal.nextSeq()) {
            next = journal.read(next, 100, e -> seqs.add(e.seq()));
        }
        assertEquals(20, seqs.size());
        for (int i = 0; i < 20; i++) {
            assertEquals(i, seqs.get(i));
        }
        journal.close();
    }

    @Test
    void shouldDeleteASegmentOnlyWhenEveryRecordInItIsBelowTheStoredPosition() throws IOException {
        Journal journal = journal(SegmentFiles.DISK, 50, 1L << 30);
        journal.open(e -> {
        });
        for (int i = 0; i < 10; i++) {
            journal.append(Journal.EVENT, i, bytes("x".repeat(60))); // one record per segment
        }
        long before = segments();
        journal.release(4);
        assertEquals(before - 4, segments(), "segments holding positions 0..3 are gone, 4 stays");
        journal.release(4);
        assertEquals(before - 4, segments());
        List<Long> left = new ArrayList<>();
        journal.read(0, Long.MAX_VALUE, e -> left.add(e.seq()));
        assertEquals(4L, left.get(0));
        journal.close();
    }

    @Test
    void shouldCutATornTailAndKeepEveryRecordBeforeIt() throws IOException {
        Journal journal = journal(SegmentFiles.DISK, 1 << 20, 1L << 30);
        journal.open(e -> {
        });
        journal.append(Journal.EVENT, 1, bytes("first"));
        journal.append(Journal.EVENT, 2, bytes("second"));
        journal.close();
        Path segment = onlySegment();
        long size = Files.size(segment);
        Files.write(segment, new byte[] {0, 0, 0, 40, 1, 2}, StandardOpenOption.APPEND); // a record cut short

        assertEquals(List.of("3:1:first", "3:2:second"), reopen());
        assertEquals(size, Files.size(segment));
    }

    @Test
    void shouldTakeUnreadableBytesOutOfASegmentKeepThemAsideAndReadTheRecordsAfterThem() throws IOException {
        Journal journal = new Journal(dir, SegmentFiles.DISK, 20_000_000L, 1000, 1 << 20, 60_000_000_000L, 1L << 30,
                registry);
        journal.open(e -> {
        });
        journal.append(Journal.EVENT, 1_000, bytes("first"));
        journal.append(Journal.EVENT, 2_000, bytes("second"));
        journal.append(Journal.EVENT, 3_000, bytes("third"));
        journal.append(Journal.EVENT, 4_000, bytes("fourth"));
        journal.close();
        Path segment = onlySegment();
        byte[] file = Files.readAllBytes(segment);
        int overhead = Segment.HEADER + Segment.BODY_PREFIX; // and each payload
        int second = overhead + "first".length();
        int third = second + overhead + "second".length();
        int fourth = third + overhead + "third".length();
        java.util.Arrays.fill(file, 0, 4, (byte) 0); // the first record's length lost
        file[third + overhead] ^= 0x20; // a bit flipped in "third"
        Files.write(segment, file);
        byte[] damaged = file.clone();

        List<String> read = new ArrayList<>();
        Journal again = new Journal(dir, SegmentFiles.DISK, 20_000_000L, 1000, 1 << 20, 60_000_000_000L, 1L << 30,
                registry);
        again.open(e -> read.add(e.seq() + ":" + e.type() + ":" + e.receivedMicros() + ":"
                + (e.type() == Journal.UNREADABLE ? ByteBuffer.wrap(e.payload()).getLong() : text(e))));
        again.close();
        // before the first stretch no record, in this segment or one before: its bound is twice the segment's age
        // (60 s) and 5 s before the record after it
        assertEquals(List.of("0:6:" + (2_000 - 125_000_000) + ":" + second, "0:3:2000:second",
                "1:6:2000:" + (fourth - third), "1:3:4000:fourth"), read);
        assertEquals(List.of("3:2000:second", "3:4000:fourth"), reopen(), "the segment holds the readable records");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> aside = files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("corrupt-"))
                    .sorted().toList();
            assertEquals(List.of("corrupt-0-0.bin", "corrupt-0-" + third + ".bin"), aside);
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(damaged, third, fourth),
                Files.readAllBytes(dir.resolve("corrupt-0-" + third + ".bin")), "the unreadable bytes, as they were");
        assertEquals(second + fourth - third, registry.get("capture.journal.unreadable.bytes").counter().count());
    }

    @Test
    void shouldBoundAStretchAtASegmentsStartByTheSegmentBefore() throws IOException {
        Journal journal = journal(SegmentFiles.DISK, 40, 1L << 30); // two records a segment
        journal.open(e -> {
        });
        for (int i = 1; i <= 4; i++) {
            journal.append(Journal.EVENT, i * 1_000, bytes("rec-" + i));
        }
        journal.close();
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(p -> p.getFileName().toString().endsWith(".journal")).sorted().toList();
        }
        assertEquals(2, segments.size(), segments.toString());
        byte[] second = Files.readAllBytes(segments.get(1));
        second[Segment.HEADER + Segment.BODY_PREFIX] ^= 0x01; // its first record damaged
        Files.write(segments.get(1), second);

        List<String> read = new ArrayList<>();
        Journal again = journal(SegmentFiles.DISK, 40, 1L << 30);
        again.open(e -> read.add(e.type() + ":" + e.receivedMicros()));
        again.close();
        assertEquals(List.of("3:1000", "3:2000", "6:2000", "3:4000"), read,
                "received after the last record of the segment before");
    }

    @Test
    void shouldStopJournalingEventsPastTheBoundButKeepGapRecords() {
        Journal journal = journal(SegmentFiles.DISK, 1 << 20, 200);
        journal.open(e -> {
        });
        int appended = 0;
        for (int i = 0; i < 20; i++) {
            if (journal.append(Journal.EVENT, i, bytes("x".repeat(40))) >= 0) {
                appended++;
            }
        }
        assertTrue(appended < 20 && appended > 0);
        assertEquals(20 - appended, registry.get("capture.journal.unjournaled").counter().count());
        assertTrue(journal.append(Journal.GAP, 99, bytes("{}")) >= 0, "gap records are always journaled");
        journal.close();
    }

    @Test
    void shouldCutAWriteThatFailedPartWayAndGoOnInANewSegmentWhenTheDiskHasRoomAgain() {
        AtomicBoolean full = new AtomicBoolean();
        Journal journal = journal(failing(full, new AtomicBoolean()), 1 << 20, 1L << 30);
        journal.open(e -> {
        });
        assertEquals(0, journal.append(Journal.EVENT, 1, bytes("before")));
        full.set(true);
        assertEquals(-1, journal.append(Journal.EVENT, 2, bytes("lost to a full disk")));
        assertEquals(-1, journal.append(Journal.EVENT, 3, bytes("no segment can be opened either")));
        full.set(false);
        assertEquals(1, journal.append(Journal.EVENT, 4, bytes("after")));
        journal.close();

        assertEquals(List.of("3:1:before", "3:4:after"), reopen(), "every good record stays readable");
        assertTrue(registry.get("capture.journal.errors").tag("op", "write").counter().count() >= 1);
    }

    @Test
    void shouldCountAFailedFsyncAndCloseTheSegmentKeepingItsRecords() {
        AtomicBoolean fsyncFails = new AtomicBoolean(true);
        Journal journal = new Journal(dir, failing(new AtomicBoolean(), fsyncFails), 1_000_000L, 1, 1 << 20, NEVER,
                1L << 30, registry);
        journal.open(e -> {
        });
        journal.append(Journal.EVENT, 1, bytes("one"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        // the fsync thread's failed force, then closing the segment's (it forces once more, and fails too)
        while (registry.get("capture.journal.errors").tag("op", "fsync").counter().count() < 2) {
            assertTrue(System.nanoTime() < deadline, "the failed fsync is counted");
            Thread.onSpinWait();
        }
        fsyncFails.set(false);
        assertEquals(1, journal.append(Journal.EVENT, 2, bytes("two")), "the next record goes to a new segment");
        journal.close();
        assertEquals(List.of("3:1:one", "3:2:two"), reopen());
        assertEquals(1, registry.get("capture.journal.durable.delay").timer().count(),
                "only the record whose fsync succeeded is measured as durable");
    }

    @Test
    void shouldRefuseADirectoryAnotherJournalHolds() {
        Journal first = journal(SegmentFiles.DISK, 1 << 20, 1L << 30);
        first.open(e -> {
        });
        Journal second = journal(SegmentFiles.DISK, 1 << 20, 1L << 30);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> second.open(e -> {
        }));
        assertTrue(refused.getMessage().contains("in use by another capture"), refused.getMessage());
        first.close();
        second.open(e -> {
        });
        second.close();
    }

    @Test
    void shouldMeasureTheDelayFromReceivingToFsync() {
        Journal journal = journal(SegmentFiles.DISK, 1 << 20, 1L << 30);
        journal.open(e -> {
        });
        journal.append(Journal.EVENT, dev.orderflow.capture.Clock.nowMicros(), bytes("x"));
        journal.close();
        assertEquals(1, registry.get("capture.journal.durable.delay").timer().count());
    }

    /** The disk layer with a switch for a full disk (writes fail part-way, no file can be created) and for fsync. */
    private static SegmentFiles failing(AtomicBoolean full, AtomicBoolean fsyncFails) {
        return path -> {
            if (full.get()) {
                throw new IOException("No space left on device");
            }
            SegmentFiles.Appender disk = SegmentFiles.DISK.create(path);
            return new SegmentFiles.Appender() {
                @Override
                public void write(ByteBuffer buffer) throws IOException {
                    if (full.get()) {
                        ByteBuffer half = buffer.duplicate();
                        half.limit(buffer.position() + buffer.remaining() / 2);
                        disk.write(half);
                        throw new IOException("No space left on device");
                    }
                    disk.write(buffer);
                }

                @Override
                public void force() throws IOException {
                    if (fsyncFails.get()) {
                        throw new IOException("Input/output error");
                    }
                    disk.force();
                }

                @Override
                public void truncate(long size) throws IOException {
                    disk.truncate(size);
                }

                @Override
                public void close() throws IOException {
                    disk.close();
                }
            };
        };
    }

    private long segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".journal")).count();
        }
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".journal")).findFirst().orElseThrow();
        }
    }
}
