package dev.orderflow.pipeline.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.ChannelChunks;
import dev.orderflow.storage.QuietItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.TableLayout;
import dev.orderflow.storage.book.SnapshotReads;

/** The bench's own reads and writes of DynamoDB Local, with the plain SDK client. */
final class Tables implements AutoCloseable {
    private final DynamoDbClient client;

    Tables(URI endpoint) {
        this.client = DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** The catalog item of a pair's orders whose stored events span {@code firstMicros} to {@code lastMicros}. */
    static Map<String, AttributeValue> ordersCatalogItem(String pair, long firstMicros, long lastMicros) {
        return Map.of(
                TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                TableLayout.SK, AttributeValue.fromS(pair + "#" + Channel.ORDERS.apiName()),
                TableLayout.CATALOG_FIRST, AttributeValue.fromN(Long.toString(firstMicros)),
                TableLayout.CATALOG_LAST, AttributeValue.fromN(Long.toString(lastMicros)),
                TableLayout.CATALOG_UPDATED, AttributeValue.fromN(Long.toString(System.currentTimeMillis() * 1000)));
    }

    /** Creates a table with the pipeline's key schema (the baseline uses the same keys' names). */
    void create(String table) {
        client.createTable(TableLayout.createTableRequest(table));
        client.waiter().waitUntilTableExists(b -> b.tableName(table));
    }

    /** A chunk item as stored, with its size by DynamoDB's rules. */
    record StoredChunk(Chunk chunk, long itemBytes) {
    }

    /** Every event chunk of one pair and channel (its sections of shared items among them), read with {@code Query}. */
    List<StoredChunk> chunks(String table, String pair, Channel channel) {
        List<StoredChunk> chunks = new ArrayList<>();
        try {
            ChannelChunks.read(ChannelChunks.of(client, table, 0), pair, channel, "0", "9").forEachRemaining(item ->
                    TableLayout.fromItem(item).ifPresent(chunk -> chunks.add(new StoredChunk(chunk,
                            ItemSize.of(item)))));
        } catch (ResourceNotFoundException e) {
            return chunks;
        }
        return chunks;
    }

    /**
     * Where a table's stored items go, by kind (the part of the partition key after the pair: {@code orders},
     * {@code trades}, {@code orders#gaps}, ...; shared items as {@code quiet}; the catalog as {@code catalog}): items,
     * bytes, write units a put of each would take as it is stored now (one per started KB), and items of one, two,
     * and three or more units, in key order.
     */
    SortedMap<String, long[]> footprint(String table) {
        SortedMap<String, long[]> kinds = new TreeMap<>();
        client.scanPaginator(b -> b.tableName(table)).items().forEach(item -> {
            String pk = item.get(TableLayout.PK).s();
            int hash = pk.indexOf('#');
            String kind = QuietItems.isShared(pk) ? "quiet" : hash < 0 ? pk : pk.substring(hash + 1);
            long size = ItemSize.of(item);
            long units = ItemSize.writeUnits(size);
            long[] sums = kinds.computeIfAbsent(kind, k -> new long[6]);
            sums[0]++;
            sums[1] += size;
            sums[2] += units;
            sums[(int) Math.min(units, 3) + 2]++;
        });
        return kinds;
    }

    /** The events stored for one pair and channel (every part of every window, and its sections of shared items). */
    long countEvents(String table, String pair, Channel channel) {
        long[] events = {0};
        ChannelChunks.read(ChannelChunks.of(client, table, 0), pair, channel, "0", "9").forEachRemaining(item ->
                events[0] += TableLayout.fromItem(item).map(chunk -> chunk.events().size()).orElse(0));
        return events[0];
    }

    /** What is stored beside each snapshot of the pair, oldest first (see {@link SnapshotReads#metas}). */
    List<SnapshotMeta> snapshotMetas(String table, String pair) {
        return new SnapshotReads(client, table).metas(pair, 0, Long.parseLong("9".repeat(16)), Integer.MAX_VALUE,
                true);
    }

    /** The catalog's {@code confirmed_until} of the pair's orders channel (µs), or -1 while there is none. */
    long confirmedUntil(String table, String pair) {
        Long confirmed = CatalogItems.channel(client::query, table, pair, Channel.ORDERS, true)
                .map(CatalogItems.Entry::confirmedUntilMicros).orElse(null);
        return confirmed == null ? -1 : confirmed;
    }

    /**
     * Writes items with {@code BatchWriteItem} (25 per call, unprocessed ones again) and returns the write units
     * DynamoDB reports as consumed.
     */
    double write(String table, List<Map<String, AttributeValue>> items) throws InterruptedException {
        double units = 0;
        for (int from = 0; from < items.size(); from += TableLayout.MAX_BATCH_WRITE) {
            List<WriteRequest> batch = new ArrayList<>();
            for (Map<String, AttributeValue> item : items.subList(from,
                    Math.min(items.size(), from + TableLayout.MAX_BATCH_WRITE))) {
                batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
            int attempt = 0;
            while (!batch.isEmpty()) {
                BatchWriteItemResponse response = client.batchWriteItem(b -> b
                        .requestItems(Map.of(table, List.copyOf(batch)))
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
                if (response.hasConsumedCapacity()) {
                    for (ConsumedCapacity consumed : response.consumedCapacity()) {
                        units += consumed.capacityUnits() == null ? 0 : consumed.capacityUnits();
                    }
                }
                batch.clear();
                List<WriteRequest> unprocessed = response.unprocessedItems().get(table);
                if (unprocessed != null && !unprocessed.isEmpty()) {
                    batch.addAll(unprocessed);
                    Thread.sleep(Math.min(1000, 20L << Math.min(attempt++, 5)));
                }
            }
        }
        return units;
    }

    @Override
    public void close() {
        client.close();
    }
}
