package dev.orderflow.storage.book;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.orderflow.storage.Channel;
import dev.orderflow.storage.ChannelChunks;
import dev.orderflow.storage.CoverageRule;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapReads;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.SnapshotItems;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Each stored snapshot checks the rebuild that leads to it: the book rebuilt from the previous complete snapshot
 * and the stored events up to this snapshot's stamp ({@link SnapshotAlignment}), compared with this snapshot order
 * by order ({@link Certification}); the {@link Verdict} is stored beside the snapshot. Reads with {@code Query},
 * writes with {@code UpdateItem}. Plain Java: the capture runs it after its snapshots and the events before them are
 * stored; tests run it on tables they fill.
 */
public final class Certifier {
    private final DynamoDbClient db;
    private final String table;
    private final SnapshotAlignment alignment;
    private final Duration maxSpan;
    private final SnapshotReads snapshots;

    /** @param maxSpan the longest stretch between two snapshots that is checked (longer: {@code not_checked}) */
    public Certifier(DynamoDbClient db, String table, SnapshotAlignment alignment, Duration maxSpan) {
        this.db = db;
        this.table = table;
        this.alignment = alignment;
        this.maxSpan = maxSpan;
        this.snapshots = new SnapshotReads(db, table);
    }

    /**
     * Checks every snapshot of {@code pair} stamped in {@code [fromMicros, untilMicros)} that has no verdict yet and
     * stores the verdicts. {@code untilMicros} must be a time before which every event of the pair is stored (the
     * catalog's {@code confirmed_until}). Returns the snapshots checked, with their verdicts.
     */
    public List<SnapshotMeta> certifyPending(String pair, long fromMicros, long untilMicros, long nowMicros) {
        List<SnapshotMeta> done = new ArrayList<>();
        for (SnapshotMeta meta : snapshots.metas(pair, fromMicros, untilMicros, Integer.MAX_VALUE, true)) {
            if (meta.verdict() != null) {
                continue;
            }
            Verdict verdict = check(pair, meta.microtimestamp(), nowMicros);
            store(pair, meta.microtimestamp(), verdict);
            done.add(new SnapshotMeta(meta.pair(), meta.microtimestamp(), meta.receivedMicros(), meta.reason(),
                    meta.parts(), meta.bidOrders(), meta.askOrders(), verdict));
        }
        return done;
    }

    /** The verdict of the snapshot stamped {@code micros} (not stored). */
    public Verdict check(String pair, long micros, long nowMicros) {
        Optional<SnapshotRecord> target = snapshots.load(pair, micros);
        if (target.isEmpty()) {
            return Verdict.notChecked(null, "a part of this snapshot is missing", nowMicros);
        }
        long maxSpanMicros = maxSpan.toNanos() / 1000L;
        List<SnapshotReads.Skipped> skipped = new ArrayList<>();
        Optional<SnapshotReads.Found> previous = snapshots.latestComplete(pair, micros - 1, micros - maxSpanMicros,
                skipped);
        if (previous.isEmpty()) {
            return Verdict.notChecked(null, "no earlier complete snapshot within " + maxSpan
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " with a missing part)"), nowMicros);
        }
        SnapshotRecord from = previous.get().snapshot();
        OrderBook book = OrderBook.fromSnapshot(from.body()).trackRemovals();
        List<OrderEvent> window = new ArrayList<>();
        long windowFrom = alignment.replayFromMicros(micros);
        OrderEvent.Reader reader = new OrderEvent.Reader();
        long replayFrom = alignment.replayFromMicros(from.microtimestamp(),
                gapsTouching(pair, alignment.replayFromMicros(from.microtimestamp()), from.microtimestamp()));
        try {
            forEachEvent(pair, replayFrom, micros, view -> {
                long t = view.microtimestamp();
                if (t < replayFrom || t > micros) {
                    return;
                }
                if (t >= windowFrom) {
                    window.add(reader.read(view));
                } else {
                    book.apply(reader.read(view), SnapshotAlignment.reapplied(t, from.microtimestamp()));
                }
            });
        } catch (RuntimeException e) {
            return Verdict.notChecked(from.microtimestamp(), "a stored chunk could not be read: " + e, nowMicros);
        }
        return Certification.check(book, window, target.get().body(), from.microtimestamp(), nowMicros);
    }

    private void store(String pair, long micros, Verdict verdict) {
        Map<String, AttributeValue> attributes = SnapshotItems.verdictAttributes(verdict);
        StringBuilder set = new StringBuilder("SET ");
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, AttributeValue> a : attributes.entrySet()) {
            set.append(i == 0 ? "" : ", ").append("#a").append(i).append(" = :a").append(i);
            names.put("#a" + i, a.getKey());
            values.put(":a" + i, a.getValue());
            i++;
        }
        try {
            db.updateItem(UpdateItemRequest.builder().tableName(table)
                    .key(Map.of(TableLayout.PK, AttributeValue.fromS(SnapshotItems.snapshotMetaPk(pair)),
                            TableLayout.SK, AttributeValue.fromS(SnapshotItems.snapshotMetaSk(micros))))
                    .updateExpression(set.toString()).conditionExpression("attribute_exists(pk)")
                    .expressionAttributeNames(names).expressionAttributeValues(values).build());
        } catch (ConditionalCheckFailedException e) {
            // the item beside the snapshot is gone: nothing to annotate
        }
    }

    /** The orders channel's gap records with {@code from <= toMicros} and {@code to >= fromMicros}. */
    private List<GapRecord> gapsTouching(String pair, long fromMicros, long toMicros) {
        return GapReads.touching(db::query, table, pair, Channel.ORDERS, fromMicros, toMicros + 1,
                CoverageRule.CONSISTENT_READS, Integer.MAX_VALUE - 1).stream().map(GapItems::gapFromItem).toList();
    }

    /** Every stored event of the pair's orders channel in the windows of {@code [fromMicros, toMicros]}, in order. */
    private void forEachEvent(String pair, long fromMicros, long toMicros, Consumer<EventView> action) {
        ChannelChunks.read(ChannelChunks.of(db, table, 200, CoverageRule.CONSISTENT_READS), pair, Channel.ORDERS,
                TableLayout.lowestSk(fromMicros), TableLayout.highestSk(toMicros + 1)).forEachRemaining(item -> {
                    EventView.Events events = TableLayout.viewItem(item).orElseThrow(() -> new IllegalStateException(
                            "item " + item.get(TableLayout.SK).s() + " holds no event chunk"));
                    while (events.next()) {
                        action.accept(events.event());
                    }
                });
    }
}
