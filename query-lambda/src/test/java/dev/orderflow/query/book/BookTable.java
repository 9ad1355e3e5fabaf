package dev.orderflow.query.book;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.orderflow.dynamodblocal.DynamoDbLocal;
import dev.orderflow.dynamodblocal.iam.IamFront;
import dev.orderflow.query.LocalTables;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.SnapshotItems;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * DynamoDB Local with an empty table of its own, which the book tests fill as the capture would (snapshots, event
 * chunks, gap records, catalog) through the storage module's layout, each test under pairs of its own.
 */
public class BookTable implements QuarkusTestResourceLifecycleManager {
    public static final String TABLE = "orderflow-book-test";

    private DynamoDbLocal db;
    private IamFront front;

    @Override
    public Map<String, String> start() {
        db = DynamoDbLocal.start(0, null);
        try (DynamoDbClient client = LocalTables.client(db.endpoint())) {
            client.createTable(TableLayout.createTableRequest(TABLE));
        }
        front = LocalTables.queryFront(db.endpoint(), TABLE);
        return LocalTables.config(front, db.endpoint(), TABLE);
    }

    @Override
    public void stop() {
        if (front != null) {
            front.close();
        }
        if (db != null) {
            db.close();
        }
    }

    /** Items for the orders events of one pair as the capture stores them: per window (slot), parts in order. */
    public static List<Map<String, AttributeValue>> chunkItems(String pair, List<CapturedEvent> events) {
        TreeMap<Long, List<CapturedEvent>> windows = new TreeMap<>();
        for (CapturedEvent e : events) {
            windows.computeIfAbsent(TableLayout.slotStart(e.microtimestamp()), w -> new ArrayList<>()).add(e);
        }
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        windows.forEach((start, window) -> {
            window.sort(Comparator.comparingLong(CapturedEvent::microtimestamp)); // stable: exchange order kept
            for (int part = 0; part * TableLayout.MAX_EVENTS_PER_PART < window.size(); part++) {
                List<CapturedEvent> slice = window.subList(part * TableLayout.MAX_EVENTS_PER_PART,
                        Math.min(window.size(), (part + 1) * TableLayout.MAX_EVENTS_PER_PART));
                items.add(TableLayout.toItem(new Chunk(pair, Channel.ORDERS, start, part, List.copyOf(slice))));
            }
        });
        return items;
    }

    /** The catalog item of a pair's orders channel. */
    public static Map<String, AttributeValue> catalogItem(String pair, long first, long last, long confirmed) {
        return Map.of(
                TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                TableLayout.SK, AttributeValue.fromS(TableLayout.chunkPk(pair, Channel.ORDERS)),
                TableLayout.CATALOG_FIRST, AttributeValue.fromN(Long.toString(first)),
                TableLayout.CATALOG_LAST, AttributeValue.fromN(Long.toString(last)),
                TableLayout.CATALOG_UPDATED, AttributeValue.fromN(Long.toString(confirmed)));
    }

    public static void write(DynamoDbClient client, SnapshotRecord snapshot) {
        write(client, SnapshotItems.toItems(snapshot));
    }

    public static void write(DynamoDbClient client, List<Map<String, AttributeValue>> items) {
        LocalTables.write(client, TABLE, items);
    }
}
