package dev.orderflow.storage;

import java.time.Duration;

/**
 * How a REST order book snapshot lines up with the {@code live_orders} stream, one rule for the capture (which
 * decides whether a snapshot is usable) and the query (which rebuilds from it).
 * <p>
 * The exchange stamps a REST book ({@code microtimestamp}, µs) with its last change, while stream events carry
 * whole milliseconds, and the book reaches the client late (measured on recorded real frames: 0.07–2.56 s after its
 * stamp). A rebuild starts from the snapshot and re-applies every stored event from the snapshot's stamp minus the
 * {@linkplain #DEFAULT_MARGIN margin}: each {@code live_orders} event carries the order's whole state, so applying
 * one the book already holds changes nothing, and an event stamped a little before the book's stamp but missing from
 * it is not lost. So a snapshot is usable only if the capture received every event of that re-applied stretch:
 * its stamp must lie at least the margin after the first event captured since the (re)connect.
 * <p>
 * The margin is set by {@code ORDERFLOW_SNAPSHOT_MARGIN} for both applications ({@code capture.snapshot.margin},
 * {@code query.book.snapshot-margin}).
 */
public final class SnapshotAlignment {
    /**
     * The default margin, 50 ms. Measured on the 30 recorded real REST books with the stream recorded beside them
     * ({@code SnapshotAlignmentRecordedTest}): each book held every stream update stamped at or before its own stamp
     * and none stamped after it (the stamp trails the stream by 0 µs), so the rule itself needs only the
     * millisecond that {@code live_orders} stamps are cut to; 50 ms leaves room for a book and a stream that disagree
     * by more than the recordings showed, at the cost of re-applying 50 ms of events per rebuild.
     */
    public static final Duration DEFAULT_MARGIN = Duration.ofMillis(50);
    /** The environment variable both applications read the margin from. */
    public static final String ENVIRONMENT = "ORDERFLOW_SNAPSHOT_MARGIN";

    private SnapshotAlignment() {
    }

    /** The first event time (µs, inclusive) a rebuild from a snapshot stamped {@code snapshotMicros} re-applies. */
    public static long replayFromMicros(long snapshotMicros, Duration margin) {
        return snapshotMicros - margin.toNanos() / 1000;
    }

    /**
     * Whether a snapshot stamped {@code snapshotMicros} can start a rebuild, given the first event captured on its
     * channel since the connection it was fetched on was made ({@code firstEventMicros}): only if every event the
     * rebuild re-applies was captured.
     */
    public static boolean usable(long snapshotMicros, long firstEventMicros, Duration margin) {
        return replayFromMicros(snapshotMicros, margin) >= firstEventMicros;
    }
}
