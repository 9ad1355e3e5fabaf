package dev.orderflow.archive;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapReads;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.QuietItems;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import dev.orderflow.storage.UnionGaps;
import dev.orderflow.storage.book.SnapshotReads;
import dev.orderflow.storage.ChannelChunks;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * What the archiver reads from the table, with {@code Query} on keys only (never {@code Scan}): the catalog, the
 * chunks of an hour, the gap records touching it. Keys and items are storage's {@link TableLayout}.
 */
public final class TableSource {
    /** Reads the next page of a query while the current one is handled (daemon threads, made as needed). */
    private static final ExecutorService READ_AHEAD = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "archive-read-ahead");
        thread.setDaemon(true);
        return thread;
    });

    private final DynamoDbClient db;
    private final String table;
    /**
     * In a source made by {@link #perPass}, the shared items ({@link QuietItems}) of the key range last read, by
     * partition: every channel of a group reads the same items for an hour, so they are read from the table once per
     * group and hour instead of once per channel (with a hundred pairs, each group's items hold the sections of about
     * 25 channels). Only one range is kept. {@code null} in other sources: they read every partition from the table.
     */
    private final Map<String, List<Map<String, AttributeValue>>> shared;
    private String sharedRange;

    public TableSource(DynamoDbClient db, String table) {
        this(db, table, null);
    }

    private TableSource(DynamoDbClient db, String table, Map<String, List<Map<String, AttributeValue>>> shared) {
        this.db = db;
        this.table = table;
        this.shared = shared;
    }

    /**
     * A source of the same table for one pass of the {@link Archiver} (one thread): it keeps the shared items of the
     * hour it is on, and is dropped with the pass, so that a later pass reads what the table holds then.
     */
    TableSource perPass() {
        return new TableSource(db, table, new HashMap<>());
    }

    /**
     * A pair and channel with stored data, how far its writes are confirmed, and each named capture host's span
     * (what {@link UnionGaps} needs to tell the record's gaps from one host's).
     */
    public record Entry(String pair, Channel channel, Long firstMicros, Long lastMicros, Long confirmedUntilMicros,
                        Map<String, Hosts.Span> hosts) {
    }

    public List<Entry> catalog() {
        return CatalogItems.all(db::query, table, false).stream().map(e -> new Entry(e.pair(), e.channel(),
                e.firstMicros(), e.lastMicros(), e.confirmedUntilMicros(), e.hosts())).toList();
    }

    /**
     * The chunk items that can hold events of the hour, in key order (windows in time order, parts in order), the
     * channel's sections of shared items among them ({@link ChannelChunks}); read consistently when
     * {@code consistent}: an hour just sealed may have been written a moment before its watermark passed it.
     */
    public void chunks(Hour hour, boolean consistent, Consumer<Map<String, AttributeValue>> each) {
        ChannelChunks.read((pk, from, to) -> read(pk, from, to, consistent), hour.pair(), hour.channel(),
                TableLayout.lowestSk(hour.startMicros()), TableLayout.highestSk(hour.endMicros()))
                .forEachRemaining(each);
    }

    /** A partition's items in a key range: a shared partition's from {@link #shared} where kept, others read ahead. */
    private Iterator<Map<String, AttributeValue>> read(String pk, String fromSk, String toSk, boolean consistent) {
        if (shared == null || !QuietItems.isShared(pk)) {
            return readAhead(pk, fromSk, toSk, consistent);
        }
        String range = fromSk + "/" + toSk + "/" + consistent;
        if (!range.equals(sharedRange)) {
            shared.clear();
            sharedRange = range;
        }
        List<Map<String, AttributeValue>> items = shared.get(pk);
        if (items == null) {
            items = new ArrayList<>();
            readAhead(pk, fromSk, toSk, consistent).forEachRemaining(items::add);
            shared.put(pk, items);
        }
        return items.iterator();
    }

    /** A partition's items in a key range, the next page read while the current one is handled. */
    private Iterator<Map<String, AttributeValue>> readAhead(String pk, String fromSk, String toSk,
                                                           boolean consistent) {
        QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(consistent)
                .keyConditionExpression("pk = :pk AND sk BETWEEN :from AND :to")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk),
                        ":from", AttributeValue.fromS(fromSk), ":to", AttributeValue.fromS(toSk)));
        return new Iterator<>() {
            private CompletableFuture<QueryResponse> next = CompletableFuture.supplyAsync(
                    () -> db.query(request.build()), READ_AHEAD);
            private Iterator<Map<String, AttributeValue>> page = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && next != null) {
                    QueryResponse response = next.join();
                    next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                            ? CompletableFuture.supplyAsync(() -> db.query(request.exclusiveStartKey(
                                    response.lastEvaluatedKey()).build()), READ_AHEAD)
                            : null;
                    page = response.items().iterator();
                }
                return page.hasNext();
            }

            @Override
            public Map<String, AttributeValue> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return page.next();
            }
        };
    }

    /**
     * The gaps of the record concerning the hour, oldest first, as {@code /v1/gaps} answers: with several capture
     * hosts, the time all of them missed ({@link UnionGaps}); with one, its records. A gap's closed interval
     * {@code [from, to]} touches {@code [start, end)} when {@code from < end} and {@code to >= start}. Read
     * consistently when {@code consistent}, as {@link #chunks}.
     */
    public List<GapRecord> gaps(Hour hour, Entry entry, boolean consistent) {
        return UnionGaps.of(hour.pair(), hour.channel(), records(hour, consistent), entry.hosts()).stream()
                .filter(g -> g.fromMicros() < hour.endMicros() && g.toMicros() >= hour.startMicros()).toList();
    }

    /**
     * The L3 snapshots of the hour's pair stamped in it, each with all its parts, oldest first; a snapshot with a
     * part missing is left out (as the API leaves it out of a book), and counted in {@code missingParts}.
     */
    public List<SnapshotRecord> snapshots(Hour hour, int[] missingParts) {
        SnapshotReads reads = new SnapshotReads(db, table);
        List<SnapshotRecord> snapshots = new ArrayList<>();
        for (SnapshotMeta meta : reads.metas(hour.pair(), hour.startMicros(), hour.endMicros(), Integer.MAX_VALUE,
                true)) {
            reads.load(hour.pair(), meta.microtimestamp()).ifPresentOrElse(snapshots::add, () -> missingParts[0]++);
        }
        return snapshots;
    }

    /** Every host's gap records touching the hour. */
    private List<GapRecord> records(Hour hour, boolean consistent) {
        List<GapRecord> gaps = new ArrayList<>();
        for (Map<String, AttributeValue> item : GapReads.touching(db::query, table, hour.pair(), hour.channel(),
                hour.startMicros(), hour.endMicros(), consistent, Integer.MAX_VALUE - 1)) {
            gaps.add(readGap(item, hour));
        }
        return gaps;
    }

    /** A record as stored; one that cannot be read still counts, as a gap over the whole hour (as in the API). */
    private static GapRecord readGap(Map<String, AttributeValue> item, Hour hour) {
        try {
            return GapItems.gapFromItem(item);
        } catch (RuntimeException e) {
            return new GapRecord(hour.pair(), hour.channel(), GapRecord.Kind.DISCONNECT, hour.startMicros(),
                    hour.endMicros(), null, null, null, UnionGaps.UNREADABLE);
        }
    }

}
