package dev.orderflow.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapItems;
import dev.orderflow.storage.GapReads;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * Gap records found by the time they touch ({@link GapReads}), against DynamoDB Local: a channel with weeks of
 * records written without the long copies (as earlier versions wrote them) answers every range as before once it is
 * marked, reading only near the range; the reads of the archive (and the API, the certifier) go through it.
 */
@Timeout(120)
class GapReadsTest {
    private static final String TABLE = "orderflow_gaps";
    private static final String PAIR = "gapusd";
    private static final long HOUR = 3_600_000_000L;
    private static final long T = 1_800_000_000_000_000L;
    private static LocalTable local;
    private static DynamoDbClient db;

    @BeforeAll
    static void start() {
        local = LocalTable.start(TABLE);
        db = local.db;
    }

    @AfterAll
    static void stop() {
        if (local != null) {
            local.close();
        }
    }

    @Test
    void shouldAnswerEveryRangeAsAWholeReadDoesReadingOnlyNearItOnceMarked() {
        // 20 days of records as an earlier version wrote them: a short one every hour (some of two hosts), and
        // long ones: 5 days ending in the last day, 3 days ending 10 days back, exactly a day, a day and 1 µs
        List<GapRecord> records = new ArrayList<>();
        for (int h = 0; h < 20 * 24; h++) {
            long from = T - h * HOUR + 17;
            records.add(new GapRecord(PAIR, Channel.ORDERS, GapRecord.Kind.CHAIN_BREAK, from, from + 1_000, null,
                    null, null, "short", List.of(h % 5 == 0 ? "b" : "a")));
        }
        records.add(gap(T - 5 * 24 * HOUR - 3 * HOUR, T - 3 * HOUR, "a"));
        records.add(gap(T - 13 * 24 * HOUR, T - 10 * 24 * HOUR, "b"));
        records.add(gap(T - 6 * 24 * HOUR, T - 5 * 24 * HOUR, "a"));
        records.add(gap(T - 8 * 24 * HOUR, T - 7 * 24 * HOUR + 1, "a"));
        records.forEach(r -> db.putItem(b -> b.tableName(TABLE).item(GapItems.toItem(r))));

        Random random = new Random(42);
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            long from = T - (long) (random.nextDouble() * 21 * 24 * HOUR);
            ranges.add(new long[] {from, from + 1 + (long) (random.nextDouble() * (i % 3 == 0 ? 48 : 2) * HOUR)});
        }
        ranges.add(new long[] {T - HOUR, T + HOUR});
        List<List<GapRecord>> whole = new ArrayList<>();
        for (long[] r : ranges) {
            List<GapRecord> read = touching(db::query, r);
            assertEquals(records.stream().filter(g -> g.fromMicros() < r[1] && g.toMicros() >= r[0])
                    .sorted(java.util.Comparator.comparing((GapRecord g) -> GapItems.gapSk(g.fromMicros(),
                            g.kind(), g.hosts()))).toList(), read, "unmarked, [" + r[0] + ", " + r[1] + ")");
            whole.add(read);
        }
        AtomicInteger scanned = new AtomicInteger();
        touching(counting(scanned), new long[] {T - HOUR, T + HOUR});
        assertTrue(scanned.get() > 480, "unmarked: every record before the range is read, " + scanned);

        Optional<List<Map<String, AttributeValue>>> missing = GapReads.missingCopies(db::query, TABLE, PAIR,
                Channel.ORDERS);
        assertEquals(3, missing.orElseThrow().size(), "the records longer than a day");
        missing.get().forEach(item -> db.putItem(b -> b.tableName(TABLE).item(item)));
        db.putItem(b -> b.tableName(TABLE).item(GapReads.marker(PAIR, Channel.ORDERS)));
        scanned.set(0);
        assertEquals(Optional.empty(), GapReads.missingCopies(counting(scanned), TABLE, PAIR, Channel.ORDERS));
        assertEquals(1, scanned.get(), "marked: only the marker is read");

        for (int i = 0; i < ranges.size(); i++) {
            long[] r = ranges.get(i);
            assertEquals(whole.get(i), touching(db::query, r), "marked, [" + r[0] + ", " + r[1] + ")");
        }
        scanned.set(0);
        List<GapRecord> recent = touching(counting(scanned), new long[] {T - HOUR, T + HOUR});
        assertEquals(2, recent.size(), recent.toString());
        assertTrue(scanned.get() < 40, "marked: the records of a day before the range and the copies, " + scanned);
        assertTrue(touching(db::query, new long[] {T - 4 * HOUR, T - 2 * HOUR}).contains(records.get(20 * 24)),
                "a record that began days before the range is found by its copy");

        // written since: a long record gets its copy as it is stored
        GapRecord week = gap(T + 2 * HOUR - 7 * 24 * HOUR, T + 2 * HOUR, "a");
        GapReads.items(week).forEach(item -> db.putItem(b -> b.tableName(TABLE).item(item)));
        assertEquals(List.of(week), touching(db::query, new long[] {T + HOUR + 1, T + 3 * HOUR}));
        assertEquals(3, touching(db::query, new long[] {T - HOUR, T + HOUR}).size(), "each record once");
        Hour hour = Hour.of(PAIR, Channel.ORDERS, T + HOUR + 1);
        assertEquals(List.of(week), new TableSource(db, TABLE).gaps(hour, new TableSource.Entry(PAIR,
                Channel.ORDERS, T - 30 * 24 * HOUR, T, T + 3 * HOUR, Map.of()), true), "the archive reads so");
    }

    @Test
    void shouldFindALongRecordThatCannotBeReadByItsCopy() {
        String pair = "oddusd";
        Map<String, AttributeValue> odd = new java.util.HashMap<>(GapItems.toItem(new GapRecord(pair,
                Channel.TRADES, GapRecord.Kind.DISCONNECT, T - 5 * 24 * HOUR, T, null, null, null, "odd", List.of("a"))));
        odd.put(GapItems.GAP_KIND, AttributeValue.fromS("a_kind_from_a_later_version"));
        db.putItem(b -> b.tableName(TABLE).item(odd));
        List<Map<String, AttributeValue>> copies = GapReads.missingCopies(db::query, TABLE, pair, Channel.TRADES)
                .orElseThrow();
        assertEquals(1, copies.size());
        copies.forEach(item -> db.putItem(b -> b.tableName(TABLE).item(item)));
        db.putItem(b -> b.tableName(TABLE).item(GapReads.marker(pair, Channel.TRADES)));
        List<Map<String, AttributeValue>> found = GapReads.touching(db::query, TABLE, pair, Channel.TRADES,
                T - HOUR, T, true, 10);
        assertEquals(List.of(odd.get(TableLayout.SK)), found.stream().map(i -> i.get(TableLayout.SK)).toList(),
                "read as a gap over the range, as a whole read finds it");
    }

    private static GapRecord gap(long from, long to, String host) {
        return new GapRecord(PAIR, Channel.ORDERS, GapRecord.Kind.DISCONNECT, from, to, null, null, null, "long",
                List.of(host));
    }

    private static List<GapRecord> touching(Function<QueryRequest, QueryResponse> query, long[] range) {
        return GapReads.touching(query, TABLE, PAIR, Channel.ORDERS, range[0], range[1], true, Integer.MAX_VALUE - 1)
                .stream().map(GapItems::gapFromItem).toList();
    }

    private static Function<QueryRequest, QueryResponse> counting(AtomicInteger scanned) {
        return request -> {
            QueryResponse response = db.query(request);
            scanned.addAndGet(response.scannedCount());
            return response;
        };
    }
}
