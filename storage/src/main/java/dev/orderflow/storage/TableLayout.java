package dev.orderflow.storage;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The table's keys, its event chunks and how their parts are cut: the one place that knows them. The other items
 * have a class each ({@link GapItems}, {@link SnapshotItems}, {@link BadFrameItems}, {@link CatalogItems},
 * {@link QuietItems}), keyed by {@link #PK}/{@link #SK}. The README's "Table layout" section describes the same thing
 * for readers without this code.
 *
 * <p>Event chunks: {@code pk = "<pair>#<channel>"} (e.g. {@code btcusd#orders}),
 * {@code sk = "<window start, epoch ms, 13 digits>#<part, 3 digits>"} (e.g. {@code 1786269860000#000}),
 * attributes {@code n} (events), {@code t0}/{@code t1} (first/last microtimestamp), {@code v} (encoding version)
 * and {@code z} (the {@link ChunkCodec} payload). Layout 2 (the one written): the window is a slot of
 * {@link #SLOT_MICROS} aligned to the epoch, its parts cut in arrival order by {@link #partFull}. Layout 1
 * (older tables, still read): the window is one second ({@link #LAYOUT1_WINDOW_MICROS}), parts split evenly. Both
 * share the key format, so one key range finds both; readers tell an item's time span by {@code t0}/{@code t1}.
 *
 * <p>Gaps ({@link GapItems}): {@code pk = "<pair>#<channel>#gaps"}. Order book snapshots ({@link SnapshotItems}):
 * {@code pk = "<pair>#snapshots"} and {@code "<pair>#snapshots#meta"}. Bad frames ({@link BadFrameItems}):
 * {@code pk = "bad#<yyyy-MM-dd of receipt, UTC>"}. Catalog: {@code pk = "catalog"}, one item per capture host and,
 * in older tables, one per channel ({@link CatalogItems} writes and reads both).
 */
public final class TableLayout {
    public static final String PK = "pk";
    public static final String SK = "sk";
    public static final String EVENTS = "n";
    public static final String FIRST_MICROS = "t0";
    public static final String LAST_MICROS = "t1";
    public static final String VERSION = "v";
    public static final String PAYLOAD = "z";

    public static final String CATALOG_PK = "catalog";
    public static final String CATALOG_FIRST = "first";
    public static final String CATALOG_LAST = "last";
    public static final String CATALOG_UPDATED = "updated";
    /** µs before which every window of the channel is stored (only ever moves forward). */
    public static final String CATALOG_CONFIRMED_UNTIL = "confirmed_until";
    /** A chunk item's write version: 1 when first written, one more at every merge (conditional writes). */
    public static final String WRITE_VERSION = "w";
    /** Largest item the writer builds (DynamoDB's limit is 400 KB, attribute names included). */
    public static final int MAX_ITEM_BYTES = 350_000;

    /**
     * Layout 2: length of one storage window (a slot aligned to the epoch). A property of the stored layout, not a
     * setting: it decides the keys, so every writer of a table must agree on it. It is also the longest a quiet
     * channel's events wait before their window is sealed and written.
     */
    public static final long SLOT_MICROS = 10_000_000L;
    /** Layout 1 (tables written before layout 2): one window per second of microtimestamp. Only read now. */
    public static final long LAYOUT1_WINDOW_MICROS = 1_000_000L;
    /**
     * Layout 2: a slot's part is closed once its frames (as received, UTF-8 JSON) reach this many bytes; the chunk
     * encoding shrinks them about fifteen- to twentyfold, so a part is about 2 to 3 KB, a few write units. Each item's
     * last write unit is only partly used, so larger parts waste less of what is paid for (24 KiB until 2026-12-04:
     * 48 write units per 1,000 btcusd-like events against 33).
     */
    static final int PART_TARGET_BYTES = 40 * 1024;
    /**
     * Parts from this number on get a larger target (doubling every {@link #PART_TARGET_DOUBLING} parts up to
     * {@link #PART_TARGET_MAX_BYTES}): a channel reaches them only at about 64 KB/s of frames (about 150 events a
     * second and more) or in a burst, so a burst is written in a few dozen puts instead of hundreds (each put costs the
     * capture about as much CPU as encoding its events, and DynamoDB a request). Freshness does not depend on it: a
     * part of {@link #PART_MIN_BYTES} or more closes once it spans {@link #PART_MIN_SPAN_MICROS} anyway (until
     * 2026-12-05 from part 16, doubling every 16 parts).
     */
    static final int PART_TARGET_GROWS_FROM = 16;
    static final int PART_TARGET_DOUBLING = 2;
    /**
     * Layout 2: a part is also closed once it holds this many bytes of frames (encoded, about one write unit) and
     * spans {@link #PART_MIN_SPAN_MICROS} of exchange time, so that a channel whose frames fill a write unit within
     * that span has its events queryable within about that span (busy channels' target: 2 s at p99), without paying
     * for items smaller than a write unit.
     */
    public static final int PART_MIN_BYTES = 8 * 1024;
    /** 1 s until 2026-12-04: parts of a busy channel then held fewer events for the same rounded-up write units. */
    public static final long PART_MIN_SPAN_MICROS = 1_500_000L;
    /** Longest span of a part closed early though not {@link #busy} (see {@link #closesEarly}): busy channels' target. */
    public static final long PART_EARLY_SPAN_MAX_MICROS = 2_000_000L;
    /** The largest target: even at only fourfold compression a part stays well below {@link #MAX_ITEM_BYTES}. */
    static final int PART_TARGET_MAX_BYTES = 1024 * 1024;
    /** A window with more events than this is written as several parts (items stay far below 400 KB). */
    public static final int MAX_EVENTS_PER_PART = 4_000;
    /** Largest part number a key can hold. */
    public static final int MAX_PART = 999;

    /** BatchWriteItem accepts at most this many items per call. */
    public static final int MAX_BATCH_WRITE = 25;




    private TableLayout() {
    }

    /**
     * The key of the items that say a window was merged: one item (sort key the window's {@link #chunkSk} of part 0)
     * per window any writer merged, put before the merge's write, so that a writer's check of its own first put
     * knows whether another part of the window may hold its events.
     */
    public static String mergedPk(String pair, Channel channel) {
        return chunkPk(pair, channel) + "#merged";
    }

    public static String chunkPk(String pair, Channel channel) {
        return pair + "#" + channel.apiName();
    }

    /** Layout 2: start (µs) of the slot holding {@code micros}. */
    public static long slotStart(long micros) {
        return Math.floorDiv(micros, SLOT_MICROS) * SLOT_MICROS;
    }

    /** Layout 1: start (µs) of the one-second window holding {@code micros} (how older tables were written). */
    public static long layout1WindowStart(long micros) {
        return Math.floorDiv(micros, LAYOUT1_WINDOW_MICROS) * LAYOUT1_WINDOW_MICROS;
    }

    /**
     * Layout 2: the raw frame bytes at which part {@code part} of a slot is closed. Constant for the first
     * {@value #PART_TARGET_GROWS_FROM} parts, then doubling every {@value #PART_TARGET_DOUBLING} parts up to
     * {@value #PART_TARGET_MAX_BYTES}, so that even a burst of a hundred thousand events a second fits in the
     * {@value #MAX_PART} parts a key can number. Depends on the events alone: any writer cuts the same parts.
     */
    public static long partTargetBytes(int part) {
        if (part < PART_TARGET_GROWS_FROM) {
            return PART_TARGET_BYTES;
        }
        int doublings = Math.min(16, (part - PART_TARGET_GROWS_FROM) / PART_TARGET_DOUBLING + 1);
        return Math.min(PART_TARGET_MAX_BYTES, (long) PART_TARGET_BYTES << doublings);
    }

    /**
     * Layout 2: whether part {@code part} of a slot is closed with the event just added, given its frames' bytes and
     * the span of exchange time from its first event to that one: at {@link #partTargetBytes}, or once it spans
     * {@value #PART_MIN_SPAN_MICROS} µs if it {@link #closesEarly}. Depends on the events alone, as the target does.
     */
    public static boolean partFull(int part, long frameBytes, long spanMicros) {
        return frameBytes >= partTargetBytes(part)
                || (spanMicros >= PART_MIN_SPAN_MICROS && closesEarly(frameBytes, spanMicros));
    }

    /**
     * Whether a part may be closed before its window ends (and before {@link #partTargetBytes}): a part of
     * {@value #PART_MIN_BYTES} bytes of frames or more that spans at most {@value #PART_EARLY_SPAN_MAX_MICROS} µs, or
     * more and is {@link #busy}. Busy channels are so queryable within about {@value #PART_MIN_SPAN_MICROS} µs (a
     * part that reaches a write unit's worth a little after the minimum span closes within their 2 s target, and one
     * that turns busy later closes then), while a slower channel's window stays one item of a few write units instead
     * of two or three partly used ones. Until 2026-12-05 any part of that size closed so (within 4.5 s of its first
     * event in that day's last version): a channel at 1 to 5 KB of frames a second, like the replayed 2015 log, paid
     * two or three items a slot.
     */
    public static boolean closesEarly(long frameBytes, long spanMicros) {
        return frameBytes >= PART_MIN_BYTES && (spanMicros <= PART_EARLY_SPAN_MAX_MICROS || busy(frameBytes, spanMicros));
    }

    /**
     * Whether a part's events come from a busy channel: frames at {@value #PART_MIN_BYTES} bytes per
     * {@value #PART_MIN_SPAN_MICROS} µs or more over its span (at least that long), the rate at which {@link #partFull}
     * closes parts within that span.
     */
    public static boolean busy(long frameBytes, long spanMicros) {
        return frameBytes * PART_MIN_SPAN_MICROS >= PART_MIN_BYTES * Math.max(spanMicros, PART_MIN_SPAN_MICROS);
    }

    public static String chunkSk(long windowStartMicros, int part) {
        if (part < 0 || part > MAX_PART) {
            throw new IllegalArgumentException("part out of range: " + part);
        }
        return String.format(Locale.ROOT, "%013d#%03d", Math.floorDiv(windowStartMicros, 1000L), part);
    }

    /**
     * Lowest sort key of any chunk that can hold an event at or after {@code fromMicros}: the start of its slot
     * (a layout 1 window never starts before it either). The range may hold items wholly before
     * {@code fromMicros}: tell them by {@code t0}/{@code t1}.
     */
    public static String lowestSk(long fromMicros) {
        return chunkSk(slotStart(fromMicros), 0);
    }

    /**
     * Highest sort key of any chunk that can hold an event before {@code toMicrosExclusive}: the second of its last
     * µs (where a layout 1 window starts; a slot starts there or earlier).
     */
    public static String highestSk(long toMicrosExclusive) {
        return chunkSk(layout1WindowStart(toMicrosExclusive - 1), MAX_PART);
    }

    /** µs of a chunk item's first event ({@code t0}), or {@code absent} when the item does not say. */
    public static long firstMicros(Map<String, AttributeValue> item, long absent) {
        return micros(item.get(FIRST_MICROS), absent);
    }

    /** µs of a chunk item's last event ({@code t1}), or {@code absent} when the item does not say. */
    public static long lastMicros(Map<String, AttributeValue> item, long absent) {
        return micros(item.get(LAST_MICROS), absent);
    }

    private static long micros(AttributeValue value, long absent) {
        try {
            return value == null || value.n() == null ? absent : Long.parseLong(value.n());
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    /** Part number written in a chunk sort key. */
    public static int partOfSk(String sk) {
        return Integer.parseInt(sk.substring(sk.indexOf('#') + 1));
    }

    /** Window start (µs) written in a chunk sort key. */
    public static long windowOfSk(String sk) {
        return Long.parseLong(sk.substring(0, sk.indexOf('#'))) * 1000L;
    }

    public static Map<String, AttributeValue> toItem(Chunk chunk) {
        return toItem(chunk, 1);
    }

    /** A chunk item carrying its write version ({@link #WRITE_VERSION}). */
    public static Map<String, AttributeValue> toItem(Chunk chunk, long writeVersion) {
        return toItem(chunk.pair(), chunk.channel(), chunk.windowStartMicros(), chunk.part(), chunk.events(),
                writeVersion);
    }

    /**
     * The item of one chunk, from {@code events} read once in order (plus the first and the last again): a list
     * that parses each event as it is asked for keeps one parsed event at a time, not the whole part.
     */
    public static Map<String, AttributeValue> toItem(String pair, Channel channel, long windowStartMicros, int part,
            List<CapturedEvent> events, long writeVersion) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(WRITE_VERSION, AttributeValue.fromN(Long.toString(writeVersion)));
        item.put(PK, AttributeValue.fromS(chunkPk(pair, channel)));
        item.put(SK, AttributeValue.fromS(chunkSk(windowStartMicros, part)));
        item.put(EVENTS, AttributeValue.fromN(Integer.toString(events.size())));
        item.put(FIRST_MICROS, AttributeValue.fromN(Long.toString(events.get(0).microtimestamp())));
        item.put(LAST_MICROS, AttributeValue.fromN(Long.toString(events.get(events.size() - 1).microtimestamp())));
        item.put(VERSION, AttributeValue.fromN(Integer.toString(ChunkCodec.VERSION)));
        item.put(PAYLOAD, AttributeValue.fromB(SdkBytes.fromByteArrayUnsafe(ChunkCodec.encode(events))));
        return item;
    }

    /** The chunk an item holds, or empty when the item is not an event chunk. */
    public static Optional<Chunk> fromItem(Map<String, AttributeValue> item) {
        AttributeValue pk = item.get(PK);
        AttributeValue sk = item.get(SK);
        AttributeValue payload = item.get(PAYLOAD);
        if (pk == null || sk == null || payload == null || pk.s() == null || payload.b() == null) {
            return Optional.empty();
        }
        int hash = pk.s().lastIndexOf('#');
        if (hash < 0) {
            return Optional.empty();
        }
        Optional<Channel> channel = Channel.fromApiName(pk.s().substring(hash + 1));
        if (channel.isEmpty()) {
            return Optional.empty();
        }
        String pair = pk.s().substring(0, hash);
        String skValue = sk.s();
        int part = partOfSk(skValue);
        return Optional.of(new Chunk(pair, channel.get(), windowOfSk(skValue), part,
                ChunkCodec.decode(payload.b().asByteArrayUnsafe(), payloadVersion(item))));
    }

    /** The events of a chunk item read as views ({@link ChunkCodec#view}), or empty when it holds no payload. */
    public static Optional<EventView.Events> viewItem(Map<String, AttributeValue> item) {
        AttributeValue payload = item.get(PAYLOAD);
        if (payload == null || payload.b() == null) {
            return Optional.empty();
        }
        return Optional.of(ChunkCodec.view(payload.b().asByteArrayUnsafe(), payloadVersion(item)));
    }

    /** A chunk item's payload version ({@code v}); 1 where absent or unreadable, as the first items were written. */
    static int payloadVersion(Map<String, AttributeValue> item) {
        AttributeValue v = item.get(VERSION);
        try {
            return v == null || v.n() == null ? 1 : Integer.parseInt(v.n());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** On-demand table with the pipeline's key schema (used locally; in AWS the SAM template owns the table). */
    public static CreateTableRequest createTableRequest(String tableName) {
        return CreateTableRequest.builder()
                .tableName(tableName)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName(PK).attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName(SK).attributeType(ScalarAttributeType.S).build())
                .keySchema(
                        KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName(SK).keyType(KeyType.RANGE).build())
                .build();
    }
}
