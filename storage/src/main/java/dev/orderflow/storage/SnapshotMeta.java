package dev.orderflow.storage;

import dev.orderflow.storage.book.Verdict;

/**
 * What is stored beside each snapshot (item {@code <pair>#snapshots#meta}, see {@link TableLayout}), so that a
 * list of snapshots is read without their books.
 *
 * @param parts     how many part items hold the book
 * @param bidOrders orders on the bid side
 * @param askOrders orders on the ask side
 * @param verdict   the check of the previous snapshot's rebuild against this one, or {@code null} while not checked
 */
public record SnapshotMeta(String pair, long microtimestamp, long receivedMicros, String reason, int parts,
        int bidOrders, int askOrders, Verdict verdict) {

    /** The metadata of a snapshot about to be stored (not checked yet). */
    public static SnapshotMeta of(SnapshotRecord snapshot, int parts) {
        return new SnapshotMeta(snapshot.pair(), snapshot.microtimestamp(), snapshot.receivedMicros(),
                snapshot.reason(), parts, rows(snapshot, "bids"), rows(snapshot, "asks"), null);
    }

    private static int rows(SnapshotRecord snapshot, String side) {
        var rows = snapshot.body().get(side);
        return rows == null || !rows.isArray() ? 0 : rows.size();
    }
}
