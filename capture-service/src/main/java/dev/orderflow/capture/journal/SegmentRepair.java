package dev.orderflow.capture.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * Takes unreadable bytes out of the middle of a segment, as a journal opens: a record whose length or checksum is
 * wrong with good records after it (a disk that lost or damaged a block; a torn write is only ever a segment's tail,
 * which {@link Journal} cuts as before). The records after such a stretch are found again (the next offset where a
 * whole record with its checksum begins), the stretch is kept aside beside the segments as
 * {@code corrupt-<segment>-<offset>.bin}, and the segment is rewritten without it (a new file moved over the old one,
 * so a crash leaves one or the other). What the stretch held is lost: each one is reported with the receive times
 * around it, so that the capture records a gap for it.
 */
final class SegmentRepair {
    /** Types a record of this journal can have (a stretch is resumed only at a record of a known type). */
    private static final int MAX_TYPE = Journal.CONTROL;
    /** How late, at most, a segment's roll by age is taken to come (the roll runs on a timer). */
    private static final long LATE_ROLL_MICROS = 5_000_000;

    /**
     * One unreadable stretch: after {@code recordsBefore} good records of the segment; received after
     * {@code receivedAfterMicros} (the last good record before it, or a bound from the segment's age when none).
     */
    record Unreadable(long recordsBefore, long receivedAfterMicros, long bytes) {
    }

    private SegmentRepair() {
    }

    /**
     * Repairs {@code segment} (see the class comment) from byte {@code from}, where the journal found a record it
     * could not read after {@code recordsBefore} readable ones; the bytes before it are left as they are.
     * {@code receivedBeforeMicros} is the receive time of the last readable record before it, in this segment or the
     * ones before ({@link Long#MIN_VALUE}: none), before which none of the lost records came; without it,
     * {@code segmentAgeMicros} bounds how long before the segment's first readable record they came (twice that, and
     * 5 s more, for a roll that came late). Returns the stretches taken out, in order (none for a torn tail). When the
     * repaired segment cannot be written (a full disk), the segment is left as it is and the first stretch is
     * returned as reaching its end: the journal then cuts it there, as it cuts a torn tail.
     */
    static List<Unreadable> repair(Path segment, long number, long from, long recordsBefore, long receivedBeforeMicros,
            long segmentAgeMicros) throws IOException {
        byte[] file = Files.readAllBytes(segment);
        List<long[]> stretches = new ArrayList<>();
        List<Unreadable> found = new ArrayList<>();
        long records = recordsBefore;
        long lastReceived = receivedBeforeMicros;
        int pos = (int) from;
        while (pos < file.length) {
            int length = recordLength(file, pos);
            if (length < 0) {
                int next = nextRecord(file, pos + 1);
                if (next < 0) {
                    break; // a torn tail: the journal cuts it
                }
                stretches.add(new long[] {pos, next});
                long after = lastReceived != Long.MIN_VALUE ? lastReceived
                        : received(file, next) - 2 * segmentAgeMicros - LATE_ROLL_MICROS;
                found.add(new Unreadable(records, after, next - pos));
                pos = next;
                continue;
            }
            lastReceived = received(file, pos);
            records++;
            pos += Segment.HEADER + length;
        }
        if (stretches.isEmpty()) {
            return found;
        }
        Path repaired = segment.resolveSibling(segment.getFileName() + ".repair");
        List<Path> aside = new ArrayList<>();
        try {
            try (FileChannel out = FileChannel.open(repaired, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                int kept = 0; // the bytes before the first stretch stay as they are
                for (long[] stretch : stretches) {
                    Path asideFile = segment.resolveSibling(String.format(Locale.ROOT, "corrupt-%d-%d.bin", number,
                            stretch[0]));
                    aside.add(asideFile);
                    Files.write(asideFile, java.util.Arrays.copyOfRange(file, (int) stretch[0], (int) stretch[1]));
                    write(out, file, kept, (int) stretch[0]);
                    kept = (int) stretch[1];
                }
                write(out, file, kept, file.length);
                out.force(true);
            }
            Files.move(repaired, segment, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return found;
        } catch (IOException e) {
            Files.deleteIfExists(repaired);
            for (Path kept : aside) {
                Files.deleteIfExists(kept);
            }
            Unreadable first = found.get(0);
            io.quarkus.logging.Log.errorf("Journal segment %s cannot be repaired (%s): cut at its first unreadable"
                    + " record instead", segment.getFileName(), e.toString());
            return List.of(new Unreadable(first.recordsBefore(), first.receivedAfterMicros(),
                    file.length - stretches.get(0)[0]));
        }
    }

    private static void write(FileChannel out, byte[] file, int from, int to) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(file, from, to - from);
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** The body length of a whole record with a good checksum and a known type at {@code pos}, else -1. */
    static int recordLength(byte[] file, int pos) {
        if (file.length - pos < Segment.HEADER + Segment.BODY_PREFIX) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(file);
        int length = b.getInt(pos);
        if (!Segment.wholeBody(length, (long) pos + Segment.HEADER, file.length)) {
            return -1;
        }
        int type = file[pos + Segment.HEADER];
        if (type < Journal.FRAME || type > MAX_TYPE) {
            return -1;
        }
        CRC32 crc = new CRC32();
        crc.update(file, pos + Segment.HEADER, length);
        return (int) crc.getValue() == b.getInt(pos + 4) ? length : -1;
    }

    private static int nextRecord(byte[] file, int from) {
        for (int pos = from; pos < file.length; pos++) {
            if (recordLength(file, pos) >= 0) {
                return pos;
            }
        }
        return -1;
    }

    private static long received(byte[] file, int pos) {
        return ByteBuffer.wrap(file).getLong(pos + Segment.HEADER + 1);
    }
}
