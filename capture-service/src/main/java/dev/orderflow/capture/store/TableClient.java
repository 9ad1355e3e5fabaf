package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.storage.CatalogItems;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.GapReads;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Every call the capture makes to the table, each under the one retry layer ({@link Retries}). The capture's IAM
 * role grants exactly these: {@code PutItem}, {@code UpdateItem}, {@code Query}, {@code GetItem},
 * {@code DescribeTable} ({@code TransactWriteItems} of puts is authorised as {@code PutItem}).
 */
@ApplicationScoped
public class TableClient {
    /** What {@link #partSpan} and {@link #nearestPartBefore} read of a part. */
    private static final String SPAN = "#pk, #sk, #t0, #t1, #w";
    private static final Map<String, String> SPAN_NAMES = Map.of("#pk", TableLayout.PK, "#sk", TableLayout.SK,
            "#t0", TableLayout.FIRST_MICROS, "#t1", TableLayout.LAST_MICROS, "#w", TableLayout.WRITE_VERSION);
    private final DynamoDbClient dynamoDb;
    private final CaptureConfig.Table table;
    private final Retries retries;
    private final Counter writeUnits;
    private final Counter catalogWriteUnits;
    private final Counter readUnits;
    private final io.micrometer.core.instrument.Timer writeLatency;
    private final String host;
    private volatile boolean tableReady;

    public TableClient(DynamoDbClient dynamoDb, CaptureConfig config, MeterRegistry registry) {
        this.dynamoDb = dynamoDb;
        this.table = config.table();
        this.host = config.host().id();
        this.retries = new Retries(config.writer());
        this.writeUnits = Counter.builder("capture.write.units")
                .description("DynamoDB write capacity units consumed, as DynamoDB reported them").register(registry);
        this.catalogWriteUnits = Counter.builder("capture.catalog.write.units")
                .description("The part of capture.write.units spent on catalog updates").register(registry);
        this.readUnits = Counter.builder("capture.read.units")
                .description("DynamoDB read capacity units the writer's reads of stored parts consumed (merges and "
                        + "neighbour checks), as DynamoDB reported them").register(registry);
        this.writeLatency = io.micrometer.core.instrument.Timer.builder("capture.write.latency")
                .description("Duration of one write (a put, or a transaction of a merged window's parts), retries "
                        + "included").register(registry);
    }

    /** True once the table was found (or created): readiness waits for it. */
    public boolean tableReady() {
        return tableReady;
    }

    public Retries retries() {
        return retries;
    }

    /** What a stored item looked like when read, for a conditional rewrite. */
    public enum Expect {
        /** No item under the key. */
        ABSENT,
        /** An item written before items carried a version. */
        UNVERSIONED,
        /** An item with the version in {@link Conditional#version}. */
        VERSION
    }

    /** An item to put only if the stored one is still as expected. */
    public record Conditional(Map<String, AttributeValue> item, Expect expect, long version) {
    }

    /** Puts one item, replacing whatever is stored under its key. */
    public void put(Map<String, AttributeValue> item) {
        writeLatency.record(() -> retries.call(() -> {
            count(dynamoDb.putItem(b -> b.tableName(table.name()).item(item)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                    .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES))).consumedCapacity());
            return null;
        }, Void.class));
    }

    /**
     * Puts the items if every stored one is still as expected, all or none; {@code false} when one was changed
     * meanwhile (read again and merge).
     */
    public boolean putAll(List<Conditional> items) {
        return writeLatency.record(() -> putAllTimed(items));
    }

    private boolean putAllTimed(List<Conditional> items) {
        try {
            if (items.size() == 1) {
                Conditional c = items.get(0);
                retries.call(() -> {
                    count(dynamoDb.putItem(b -> b.tableName(table.name()).item(c.item())
                            .conditionExpression(condition(c.expect()))
                            .expressionAttributeNames(names(c.expect()))
                            .expressionAttributeValues(values(c))
                            .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                            .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES))).consumedCapacity());
                    return null;
                }, Void.class);
                return true;
            }
            List<TransactWriteItem> writes = new ArrayList<>();
            for (Conditional c : items) {
                writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table.name()).item(c.item())
                        .conditionExpression(condition(c.expect())).expressionAttributeNames(names(c.expect()))
                        .expressionAttributeValues(values(c)).build()).build());
            }
            retries.call(() -> {
                dynamoDb.transactWriteItems(b -> b.transactItems(writes)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                        .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES)))
                        .consumedCapacity().forEach(this::count);
                return null;
            }, Void.class);
            return true;
        } catch (ConditionalCheckFailedException changed) {
            return false;
        } catch (TransactionCanceledException cancelled) {
            if (cancelled.hasCancellationReasons() && cancelled.cancellationReasons().stream()
                    .anyMatch(r -> "ConditionalCheckFailed".equals(r.code()))) {
                return false;
            }
            throw cancelled;
        }
    }

    /** The stored parts {@code fromPart} to {@code toPart} (inclusive) of one window, read consistently. */
    public List<Map<String, AttributeValue>> windowItems(String pair, Channel channel, long windowStartMicros,
            int fromPart, int toPart) {
        Map<String, String> names = Map.of("#pk", TableLayout.PK, "#sk", TableLayout.SK);
        return retries.call(() -> {
            List<Map<String, AttributeValue>> items = new ArrayList<>();
            Map<String, AttributeValue> startKey = null;
            do {
                Map<String, AttributeValue> from = startKey;
                QueryResponse page = dynamoDb.query(b -> b.tableName(table.name()).consistentRead(true)
                        .keyConditionExpression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(Map.of(
                                ":pk", AttributeValue.fromS(TableLayout.chunkPk(pair, channel)),
                                ":lo", AttributeValue.fromS(TableLayout.chunkSk(windowStartMicros, fromPart)),
                                ":hi", AttributeValue.fromS(TableLayout.chunkSk(windowStartMicros, toPart))))
                        .exclusiveStartKey(from)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                        .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES)));
                countRead(page.consumedCapacity());
                items.addAll(page.items());
                startKey = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey() : null;
            } while (startKey != null);
            return items;
        }, (Class<List<Map<String, AttributeValue>>>) (Class<?>) List.class);
    }

    /** The item under {@code pk}/{@code sk}, read consistently; empty when absent. */
    public Optional<Map<String, AttributeValue>> item(String pk, String sk) {
        return getItem(pk, sk, false);
    }

    /** One consistent {@code GetItem}, whole or only the span attributes ({@link #SPAN}). */
    private Optional<Map<String, AttributeValue>> getItem(String pk, String sk, boolean spanOnly) {
        Map<String, AttributeValue> key = Map.of(TableLayout.PK, AttributeValue.fromS(pk),
                TableLayout.SK, AttributeValue.fromS(sk));
        return retries.call(() -> {
            GetItemResponse got = dynamoDb.getItem(b -> {
                b.tableName(table.name()).consistentRead(true).key(key)
                        .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                        .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES));
                if (spanOnly) {
                    b.projectionExpression(SPAN).expressionAttributeNames(SPAN_NAMES);
                }
            });
            countRead(got.consumedCapacity());
            return got.hasItem() && !got.item().isEmpty() ? Optional.of(got.item())
                    : Optional.<Map<String, AttributeValue>>empty();
        }, (Class<Optional<Map<String, AttributeValue>>>) (Class<?>) Optional.class);
    }

    /**
     * Whether the table holds exactly {@code item} under its key, read consistently: attribute for attribute, string
     * sets in any order. A conditional first put whose number is found taken asks this before merging: an attempt
     * whose answer was lost (a timeout, an internal error) may have stored the item, and the retry then finds its own
     * write; so does a replay of a part this host stored before a crash.
     */
    public boolean holdsExactly(Map<String, AttributeValue> item) {
        Optional<Map<String, AttributeValue>> stored = getItem(item.get(TableLayout.PK).s(),
                item.get(TableLayout.SK).s(), false);
        if (stored.isEmpty() || !stored.get().keySet().equals(item.keySet())) {
            return false;
        }
        for (Map.Entry<String, AttributeValue> a : item.entrySet()) {
            AttributeValue there = stored.get().get(a.getKey());
            boolean same = a.getValue().hasSs() && there.hasSs()
                    ? Set.copyOf(a.getValue().ss()).equals(Set.copyOf(there.ss()))
                    : a.getValue().equals(there);
            if (!same) {
                return false;
            }
        }
        return true;
    }

    /** Records that a writer merges {@code windowStartMicros}'s window ({@link TableLayout#mergedPk}). */
    public void markMerged(String pair, Channel channel, long windowStartMicros) {
        put(mergedKey(pair, channel, windowStartMicros));
    }

    /** Whether a writer ever merged {@code windowStartMicros}'s window ({@link #markMerged}), read consistently. */
    public boolean merged(String pair, Channel channel, long windowStartMicros) {
        Map<String, AttributeValue> key = mergedKey(pair, channel, windowStartMicros);
        return retries.call(() -> {
            GetItemResponse got = dynamoDb.getItem(b -> b.tableName(table.name()).consistentRead(true).key(key)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                    .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES)));
            countRead(got.consumedCapacity());
            return got.hasItem() && !got.item().isEmpty();
        }, Boolean.class);
    }

    /** The key (and whole item) that marks a window as merged. */
    private static Map<String, AttributeValue> mergedKey(String pair, Channel channel, long windowStartMicros) {
        return Map.of(TableLayout.PK, AttributeValue.fromS(TableLayout.mergedPk(pair, channel)),
                TableLayout.SK, AttributeValue.fromS(TableLayout.chunkSk(windowStartMicros, 0)));
    }

    /**
     * The key, first and last event times ({@code t0}, {@code t1}) and write version of one stored part, read
     * consistently with one {@code GetItem}; empty when the part is absent. What a check for overlapping parts needs,
     * without the payload (the read units are the same; the bytes sent and parsed are not).
     */
    public Optional<Map<String, AttributeValue>> partSpan(String pair, Channel channel, long windowStartMicros,
            int part) {
        return getItem(TableLayout.chunkPk(pair, channel), TableLayout.chunkSk(windowStartMicros, part), true);
    }

    /**
     * The key, first and last event times ({@code t0}, {@code t1}) and write version of the last stored part of a
     * window numbered {@code part} or below, read consistently with one {@code Query} of one item; empty when there
     * is none. What a check for overlapping parts needs, without the payload (the read units are the item's; the
     * bytes sent and parsed are not). Numbers not stored (a put still on its way) are passed over.
     */
    public Optional<Map<String, AttributeValue>> nearestPartBefore(String pair, Channel channel,
            long windowStartMicros, int part) {
        Map<String, AttributeValue> values = Map.of(
                ":pk", AttributeValue.fromS(TableLayout.chunkPk(pair, channel)),
                ":lo", AttributeValue.fromS(TableLayout.chunkSk(windowStartMicros, 0)),
                ":hi", AttributeValue.fromS(TableLayout.chunkSk(windowStartMicros, part)));
        return retries.call(() -> {
            QueryResponse got = dynamoDb.query(b -> b.tableName(table.name()).consistentRead(true)
                    .keyConditionExpression("#pk = :pk AND #sk BETWEEN :lo AND :hi")
                    .projectionExpression(SPAN).expressionAttributeNames(SPAN_NAMES).expressionAttributeValues(values)
                    .scanIndexForward(false).limit(1)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                    .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES)));
            countRead(got.consumedCapacity());
            return got.hasItems() && !got.items().isEmpty() ? Optional.of(got.items().get(0))
                    : Optional.<Map<String, AttributeValue>>empty();
        }, (Class<Optional<Map<String, AttributeValue>>>) (Class<?>) Optional.class);
    }

    /**
     * Writes this host's catalog item ({@link CatalogItems#hostItem}) whole: one update an interval for every
     * channel the host follows. Only this host writes it, so without a condition. An update, not a put: the catalog
     * goes on while a refused {@code PutItem} keeps the events in the journal, and says how far they are stored.
     */
    public void writeCatalog(long updatedMicros, Map<String, CatalogItems.Points> points) {
        Map<String, AttributeValue> item = CatalogItems.hostItem(host, updatedMicros, points);
        Map<String, AttributeValue> key = CatalogItems.hostKey(host);
        Map<String, String> names = Map.of("#u", TableLayout.CATALOG_UPDATED, "#p", CatalogItems.POINTS,
                "#c", CatalogItems.CHANNELS);
        Map<String, AttributeValue> values = Map.of(":u", item.get(TableLayout.CATALOG_UPDATED),
                ":p", item.get(CatalogItems.POINTS));
        retries.call(() -> {
            ConsumedCapacity used = dynamoDb.updateItem(b -> b.tableName(table.name()).key(key)
                    .updateExpression("SET #u = :u, #p = :p REMOVE #c") // (the older form, if any)
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                    .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES))).consumedCapacity();
            count(used);
            if (used != null && used.capacityUnits() != null) {
                catalogWriteUnits.increment(used.capacityUnits());
            }
            return null;
        }, Void.class);
    }

    /** This host's points in the catalog, by {@code "<pair>#<channel>"}: its own item, read consistently. */
    public Map<String, CatalogItems.Points> catalogPoints() {
        Map<String, AttributeValue> item = retries.call(() -> dynamoDb.getItem(b -> b.tableName(table.name())
                .consistentRead(true).key(CatalogItems.hostKey(host))
                .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES))).item(),
                (Class<Map<String, AttributeValue>>) (Class<?>) Map.class);
        return CatalogItems.hostPoints(item);
    }

    /**
     * Where this host's earlier run ended on a channel: the last event it stored, and the last time it said it was
     * receiving (else the time up to which it had stored everything it received; {@code null} when not recorded).
     */
    public record StoredEnd(OptionalLong last, Long receivingUntil) {
    }

    /**
     * Where this host's earlier run ended on each channel of the catalog, by {@code "<pair>#<channel>"}: the whole
     * catalog in one consistent read. A channel no host has named itself in (a table of a single unnamed host)
     * answers with its table-wide end; one where only other hosts did answers empty: this host has not run there.
     */
    public Map<String, StoredEnd> catalogEnds() {
        return catalogEnds(catalog());
    }

    /** As {@link #catalogEnds()}, from the catalog as {@link #catalog()} read it. */
    public Map<String, StoredEnd> catalogEnds(List<CatalogItems.Entry> catalog) {
        Map<String, StoredEnd> ends = new java.util.HashMap<>();
        for (CatalogItems.Entry e : catalog) {
            ends.put(e.stream(), end(e));
        }
        return ends;
    }

    /** Every channel of the catalog, read consistently. */
    public List<CatalogItems.Entry> catalog() {
        return CatalogItems.all(this::query, table.name(), true);
    }

    /**
     * Gives the gap records of {@code channels} the copies and marker that let readers read only those near a
     * range ({@link GapReads}), where an earlier version wrote records without them; a channel that has its marker
     * costs one read. A channel that fails is logged and left as it is: its readers read every record before a
     * range, as without the marker.
     *
     * @return the channels marked now
     */
    public int boundGapReads(Collection<Channel.WireChannel> channels) {
        int marked = 0;
        for (Channel.WireChannel c : channels) {
            try {
                Optional<List<Map<String, AttributeValue>>> missing = GapReads.missingCopies(this::query,
                        table.name(), c.pair(), c.channel());
                if (missing.isPresent()) {
                    missing.get().forEach(this::put);
                    put(GapReads.marker(c.pair(), c.channel()));
                    marked++;
                }
            } catch (RuntimeException e) {
                Log.warnf("Cannot mark the gap records of %s %s for bounded reads (%s): they are read whole, as "
                        + "before", c.pair(), c.channel().apiName(), e.toString());
            }
        }
        return marked;
    }

    private QueryResponse query(QueryRequest request) {
        return retries.call(() -> dynamoDb.query(request.toBuilder()
                .overrideConfiguration(o -> o.addPlugin(Retries.NO_SDK_RETRIES)).build()), QueryResponse.class);
    }

    private StoredEnd end(CatalogItems.Entry e) {
        if (e.hosts().isEmpty()) {
            return new StoredEnd(e.lastMicros() == null ? OptionalLong.empty() : OptionalLong.of(e.lastMicros()),
                    e.confirmedUntilMicros());
        }
        Hosts.Span own = e.hosts().get(host);
        Long last = own == null ? null : own.lastMicros();
        Long receiving = e.receiving().get(host);
        return new StoredEnd(last == null ? OptionalLong.empty() : OptionalLong.of(last),
                receiving != null ? receiving : own == null ? null : own.confirmedUntilMicros());
    }

    /** Creates the table when it is missing and creation is enabled, and waits until it is active. */
    public void ensureTable() {
        try {
            retries.call(() -> {
                try {
                    return dynamoDb.describeTable(b -> b.tableName(table.name()));
                } catch (ResourceNotFoundException missing) {
                    throw new MissingTable(missing); // an answer, not a fault to retry
                }
            }, Object.class);
            tableReady = true;
            return;
        } catch (MissingTable missing) {
            if (!table.create()) {
                Log.errorf("Table %s does not exist and capture.table.create is false: writes wait for it",
                        table.name());
                return;
            }
        }
        Log.infof("Creating table %s", table.name());
        try {
            dynamoDb.createTable(TableLayout.createTableRequest(table.name()));
        } catch (ResourceInUseException beingCreated) {
            Log.infof("Table %s is being created by someone else", table.name());
        }
        dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(table.name()));
        tableReady = true;
        Log.infof("Table %s is active", table.name());
    }

    /** DescribeTable's answer that the table does not exist. */
    private static final class MissingTable extends RuntimeException {
        MissingTable(ResourceNotFoundException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private void countRead(ConsumedCapacity capacity) {
        if (capacity != null && capacity.capacityUnits() != null) {
            readUnits.increment(capacity.capacityUnits());
        }
    }

    private void count(ConsumedCapacity capacity) {
        if (capacity != null && capacity.capacityUnits() != null) {
            writeUnits.increment(capacity.capacityUnits());
        }
    }

    private static String condition(Expect expect) {
        return switch (expect) {
            case ABSENT -> "attribute_not_exists(#pk)";
            case UNVERSIONED -> "attribute_exists(#pk) AND attribute_not_exists(#w)";
            case VERSION -> "#w = :w";
        };
    }

    private static Map<String, String> names(Expect expect) {
        return switch (expect) {
            case ABSENT -> Map.of("#pk", TableLayout.PK);
            case UNVERSIONED -> Map.of("#pk", TableLayout.PK, "#w", TableLayout.WRITE_VERSION);
            case VERSION -> Map.of("#w", TableLayout.WRITE_VERSION);
        };
    }

    private static Map<String, AttributeValue> values(Conditional c) {
        return c.expect() == Expect.VERSION ? Map.of(":w", AttributeValue.fromN(Long.toString(c.version()))) : null;
    }
}
