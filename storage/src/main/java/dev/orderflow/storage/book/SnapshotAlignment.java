package dev.orderflow.storage.book;

import java.time.Duration;
import java.util.List;

import dev.orderflow.storage.GapRecord;

/**
 * How a stored L3 snapshot lines up with the stored {@code live_orders} events: the one rule the capture (is this
 * snapshot usable?) and every rebuild (which events go on top of it?) share.
 *
 * <p>A snapshot's {@code microtimestamp} marks the book's last change in µs, while events are stamped in whole
 * milliseconds; and a snapshot can hold a book a little older than its stamp (an order already deleted a few ms
 * before the stamp still in it). So a rebuild starts from the snapshot and applies every stored event stamped at or
 * after {@code stamp - margin}, not only those after the stamp. That is safe because each {@code live_orders} event
 * carries its order's whole state: an event the snapshot already shows sets the order to the state it already has,
 * a create followed by its delete inside the margin leaves no order behind, and an {@code order_deleted} stamped
 * before the stamp of an order the snapshot still holds means the snapshot is stale there, so the order goes. Order
 * ids are never reused, so re-applying a delete cannot take out a later order.
 *
 * <p>Never across a gap: an event re-applied before a gap record whose lost events hold that order's delete would
 * put back an order the snapshot rightly left out. So where a gap or disconnect record touches
 * {@code [stamp - margin, stamp]}, re-applying starts at the record's end (the first event after it), and at the
 * latest at the stamp itself.
 *
 * <p>It follows that a snapshot is usable only when the events from {@code stamp - margin} on were captured: a
 * snapshot stamped earlier than the first event captured after a (re)connect plus the margin must be fetched again.
 */
public record SnapshotAlignment(Duration margin) {
    /**
     * The default margin, 50 ms. Measured on the 30 recorded real REST books with the stream recorded beside them
     * ({@code SnapshotAlignmentRecordedTest}): each book held every stream update stamped at or before its own stamp
     * and none stamped after it (the stamp trails the stream by 0 µs), so the rule itself needs only the millisecond
     * that {@code live_orders} stamps are cut to; 50 ms leaves room for a book and a stream that disagree by more than
     * the recordings showed, at the cost of re-applying 50 ms of events per rebuild.
     */
    public static final Duration DEFAULT_MARGIN = Duration.ofMillis(50);

    /** The environment variable both applications read the margin from. */
    public static final String ENVIRONMENT = "ORDERFLOW_SNAPSHOT_MARGIN";

    public static final SnapshotAlignment DEFAULT = new SnapshotAlignment(DEFAULT_MARGIN);

    public SnapshotAlignment {
        if (margin == null || margin.isNegative()) {
            throw new IllegalArgumentException("the alignment margin must be zero or more, got " + margin);
        }
    }

    public long marginMicros() {
        return margin.toNanos() / 1000L;
    }

    /** The first event stamp (µs, inclusive) a rebuild from a snapshot stamped {@code snapshotMicros} applies. */
    public long replayFromMicros(long snapshotMicros) {
        return snapshotMicros - marginMicros();
    }

    /**
     * The first event stamp (µs, inclusive) a rebuild from a snapshot stamped {@code snapshotMicros} applies, given
     * the gap records of the channel that may touch {@code [snapshotMicros - margin, snapshotMicros]}.
     */
    public long replayFromMicros(long snapshotMicros, List<GapRecord> gaps) {
        long from = replayFromMicros(snapshotMicros);
        for (GapRecord gap : gaps) {
            if (gap.fromMicros() <= snapshotMicros && gap.toMicros() >= from) {
                from = Math.max(from, Math.min(gap.toMicros(), snapshotMicros));
            }
        }
        return from;
    }

    /**
     * Whether an event stamped {@code eventMicros} lies at or before the snapshot's stamp, so the snapshot may show
     * it already (re-applied; an unknown id there is expected, not counted).
     */
    public static boolean reapplied(long eventMicros, long snapshotMicros) {
        return eventMicros <= snapshotMicros;
    }

    /**
     * Whether a snapshot stamped {@code snapshotMicros} can start a rebuild when the first event captured after the
     * (re)connect it follows is stamped {@code firstCapturedMicros}: every event it needs re-applied was captured.
     */
    public boolean usable(long snapshotMicros, long firstCapturedMicros) {
        return replayFromMicros(snapshotMicros) >= firstCapturedMicros;
    }
}
