package dev.orderflow.archive;

import java.util.ArrayList;
import java.util.List;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.SnapshotRecord;

/**
 * The columns of a snapshots file: the L3 order book snapshots the capture stored in the hour (its REST
 * {@code order_book?group=2} answers), one row per order, bids then asks in the exchange's order ({@code position}
 * 0 is the best; orders at one price keep their queue order). Prices and amounts as in events: {@code DECIMAL(28, 10)}
 * and the exchange's string. Rebuild a book at an instant from the latest snapshot before it and the
 * {@code live_orders} events after its stamp.
 */
public final class SnapshotSchema {
    public static final MessageType SCHEMA = build();

    private SnapshotSchema() {
    }

    private static MessageType build() {
        Types.MessageTypeBuilder b = Types.buildMessage();
        b.required(PrimitiveTypeName.INT64).named("snapshot_microtimestamp");
        b.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
                .named("snapshot_time");
        b.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
                .named("received");
        b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("reason");
        b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("side");
        b.required(PrimitiveTypeName.INT64).named("position");
        EventSchema.decimal(b, "price");
        b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("price_text");
        EventSchema.decimal(b, "amount");
        b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("amount_text");
        b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("id");
        return b.named("snapshot_order");
    }

    /** What a snapshot becomes: its rows, and how many of its entries were not {@code [price, amount, id]}. */
    record Rows(List<Object[]> rows, int unreadable) {
    }

    static Rows rows(SnapshotRecord snapshot) {
        List<Object[]> rows = new ArrayList<>();
        int unreadable = 0;
        for (String side : List.of("bids", "asks")) {
            JsonNode entries = snapshot.body().path(side);
            long position = 0;
            for (JsonNode entry : entries) {
                if (!entry.isArray() || entry.size() < 3 || !entry.get(0).isValueNode() || !entry.get(1).isValueNode()
                        || !entry.get(2).isValueNode()) {
                    unreadable++;
                    continue;
                }
                String price = entry.get(0).asText();
                String amount = entry.get(1).asText();
                rows.add(new Object[] {snapshot.microtimestamp(), snapshot.microtimestamp(), snapshot.receivedMicros(),
                    snapshot.reason(), side.equals("bids") ? "buy" : "sell", position++,
                    EventRow.unscaledBytes(price), price, EventRow.unscaledBytes(amount), amount,
                    entry.get(2).asText()});
            }
        }
        return new Rows(rows, unreadable);
    }
}
