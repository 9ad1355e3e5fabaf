package dev.orderflow.capture.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.micrometer.core.instrument.Counter;
import io.quarkus.logging.Log;

/**
 * Reads a segment kept from an earlier run when the journal opens: every readable record is handed to the scan in
 * order; unreadable bytes with records after them are taken out and kept aside ({@link SegmentRepair}), counted,
 * logged, and told to the scan where they lay ({@link Journal#UNREADABLE}); a torn tail is cut.
 */
final class SegmentRecovery {
    private final long segmentAgeMicros;
    private final Counter unreadableBytes;

    SegmentRecovery(long segmentAgeMicros, Counter unreadableBytes) {
        this.segmentAgeMicros = segmentAgeMicros;
        this.unreadableBytes = unreadableBytes;
    }

    /**
     * Reads {@code segment} whole, handing its records to {@code scan}; {@code lastReceivedBefore}: the receive time
     * of the last record of the segments read before it. Returns that of the last record read so far.
     */
    long read(Segment segment, long lastReceivedBefore, Consumer<Journal.Entry> scan) throws IOException {
        List<SegmentRepair.Unreadable> unreadable = new ArrayList<>();
        long[] records = {0};
        int[] reported = {0};
        long[] lastReceived = {lastReceivedBefore};
        Predicate<Journal.Entry> reader = e -> {
            while (reported[0] < unreadable.size() && unreadable.get(reported[0]).recordsBefore() == records[0]) {
                scan.accept(unreadableEntry(e.seq(), unreadable.get(reported[0]++)));
            }
            records[0]++;
            lastReceived[0] = e.receivedMicros();
            scan.accept(e);
            return true;
        };
        long[] at = segment.read(0, segment.firstSeq, Long.MAX_VALUE, true, reader);
        if (at[0] < at[2]) {
            // a record that cannot be read before the end: unreadable bytes with records after them (taken out, and
            // the reading goes on after them), or a torn tail (cut)
            unreadable.addAll(repair(segment, at[0], records[0], lastReceived[0]));
            at = segment.read(at[0], at[1], Long.MAX_VALUE, true, reader);
            if (at[0] < at[2]) {
                segment.cutTail(at[0], at[2]);
            }
        }
        while (reported[0] < unreadable.size()) { // a stretch cut with the tail (the repair could not write)
            scan.accept(unreadableEntry(segment.firstSeq + records[0], unreadable.get(reported[0]++)));
        }
        return lastReceived[0];
    }

    /** Takes unreadable stretches out of a segment ({@link SegmentRepair}): kept aside, counted and logged. */
    private List<SegmentRepair.Unreadable> repair(Segment segment, long from, long recordsBefore,
            long receivedBeforeMicros) throws IOException {
        List<SegmentRepair.Unreadable> unreadable = SegmentRepair.repair(segment.path, segment.number, from,
                recordsBefore, receivedBeforeMicros, segmentAgeMicros);
        for (SegmentRepair.Unreadable u : unreadable) {
            unreadableBytes.increment(u.bytes());
            Log.errorf("Journal segment %s: %d bytes could not be read after its record %d (received after %d µs);"
                    + " kept aside as corrupt-%d-*.bin, the records after them read on, and the time recorded as a"
                    + " gap", segment.path.getFileName(), u.bytes(), u.recordsBefore(), u.receivedAfterMicros(),
                    segment.number);
        }
        return unreadable;
    }

    /** What the scan is handed where a segment's bytes could not be read ({@link Journal#UNREADABLE}). */
    private static Journal.Entry unreadableEntry(long seq, SegmentRepair.Unreadable u) {
        return new Journal.Entry(seq, Journal.UNREADABLE, u.receivedAfterMicros(),
                ByteBuffer.allocate(8).putLong(u.bytes()).array());
    }
}
