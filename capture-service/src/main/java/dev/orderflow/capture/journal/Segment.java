package dev.orderflow.capture.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Predicate;
import java.util.zip.CRC32;

import io.quarkus.logging.Log;

/**
 * One segment file of the {@link Journal} and its record format: each record is
 * {@code int length, int crc32(body), body} with body {@code byte type, long receivedMicros, payload}. The journal
 * changes a segment's counters under its own lock, or at open before any other thread sees the segment; reading the
 * file needs no lock, as records are only appended and a reader stops at the position it is given.
 */
final class Segment {
    /** Bytes before a record's body: its length and its CRC-32. */
    static final int HEADER = 8;
    /** Bytes of a body before its payload: the type and the time received. */
    static final int BODY_PREFIX = 9;
    /** The longest body read back: anything longer is taken for a damaged length. */
    static final int MAX_RECORD = 64 << 20;

    final long number;
    final Path path;
    final long firstSeq;
    final long openedNanos = System.nanoTime();
    SegmentFiles.Appender out;
    long bytes;
    long records;
    long firstReceivedMicros = Long.MAX_VALUE;
    /** Where the last read stopped (byte offset, position): the catch-up reader goes on from there. */
    volatile long resumePos;
    volatile long resumeSeq = -1;

    Segment(long number, Path path, long firstSeq) {
        this.number = number;
        this.path = path;
        this.firstSeq = firstSeq;
    }

    long endSeq() {
        return firstSeq + records;
    }

    /**
     * Whether a record's length field can be believed: a body of at least its prefix, at most {@link #MAX_RECORD},
     * starting at {@code bodyStart} and ending within a file of {@code fileSize} bytes.
     */
    static boolean wholeBody(int length, long bodyStart, long fileSize) {
        return length >= BODY_PREFIX && length <= MAX_RECORD && bodyStart + length <= fileSize;
    }

    /** One record as it is written, ready to be read from. */
    static ByteBuffer record(byte type, long receivedMicros, byte[] payload) {
        ByteBuffer record = ByteBuffer.allocate(HEADER + BODY_PREFIX + payload.length);
        record.position(HEADER);
        record.put(type).putLong(receivedMicros).put(payload);
        CRC32 crc = new CRC32();
        crc.update(record.array(), HEADER, BODY_PREFIX + payload.length);
        record.putInt(0, BODY_PREFIX + payload.length).putInt(4, (int) crc.getValue());
        return record.flip();
    }

    /**
     * Reads the records from byte {@code startPos}, which holds position {@code startSeq}, stopping before
     * {@code endSeq} or where {@code reader} answers false (that record is not consumed); at open ({@code repair})
     * it counts them into this segment. Returns where it stopped and the file's size:
     * {@code {byte offset, position, size}}.
     */
    long[] read(long startPos, long startSeq, long endSeq, boolean repair, Predicate<Journal.Entry> reader)
            throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            long pos = startPos;
            long seq = startSeq;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (pos < size && seq < endSeq) {
                header.clear();
                if (size - pos < HEADER || readFully(ch, header, pos) < HEADER) {
                    break;
                }
                int length = header.getInt(0);
                if (!wholeBody(length, pos + HEADER, size)) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                readFully(ch, body, pos + HEADER);
                CRC32 check = new CRC32();
                check.update(body.array(), 0, length);
                if ((int) check.getValue() != header.getInt(4)) {
                    break;
                }
                long received = body.getLong(1);
                byte[] payload = Arrays.copyOfRange(body.array(), BODY_PREFIX, length);
                if (!reader.test(new Journal.Entry(seq, body.get(0), received, payload))) {
                    break;
                }
                seq++;
                if (repair) {
                    records++;
                    firstReceivedMicros = Math.min(firstReceivedMicros, received);
                }
                pos += HEADER + length;
            }
            if (repair) {
                bytes = pos;
            }
            return new long[] {pos, seq, size};
        }
    }

    /** Cuts a torn or corrupt tail off at open. */
    void cutTail(long pos, long size) throws IOException {
        Log.warnf("Journal segment %s: cut a torn or corrupt tail of %d bytes at offset %d", path.getFileName(),
                size - pos, pos);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(pos);
            ch.force(true);
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
