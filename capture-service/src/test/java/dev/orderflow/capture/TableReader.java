package dev.orderflow.capture;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.ChannelChunks;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reads stored events back the way a reader of the table would: Query by key range, decode each chunk. */
public final class TableReader {
    private TableReader() {
    }

    public static List<CapturedEvent> events(DynamoDbClient dynamoDb, String table, String pair, Channel channel) {
        List<CapturedEvent> events = new ArrayList<>();
        ChannelChunks.read(ChannelChunks.of(dynamoDb, table, 0, true), pair, channel, TableLayout.lowestSk(0),
                TableLayout.highestSk(Long.MAX_VALUE / 2)).forEachRemaining(item ->
                        events.addAll(TableLayout.fromItem(item).orElseThrow().events()));
        return events;
    }

    public static Map<String, AttributeValue> item(DynamoDbClient dynamoDb, String table, String pk, String sk) {
        return dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of(TableLayout.PK, AttributeValue.fromS(pk), TableLayout.SK, AttributeValue.fromS(sk))))
                .item();
    }

    /** A channel as the catalog records it, read consistently; {@code null} when the catalog does not name it. */
    public static CatalogItems.Entry catalog(DynamoDbClient dynamoDb, String table, String pair, Channel channel) {
        return CatalogItems.channel(dynamoDb::query, table, pair, channel, true).orElse(null);
    }

    /** A channel as one host's catalog item records it ({@code GetItem}: for a role that may not Query). */
    public static CatalogItems.Entry catalog(DynamoDbClient dynamoDb, String table, String host, String pair,
            Channel channel) {
        Map<String, AttributeValue> item = dynamoDb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(CatalogItems.hostKey(host))).item();
        return CatalogItems.entries(item == null || item.isEmpty() ? List.of() : List.of(item)).stream()
                .filter(e -> e.pair().equals(pair) && e.channel() == channel).findFirst().orElse(null);
    }
}
