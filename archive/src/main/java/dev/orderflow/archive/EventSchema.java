package dev.orderflow.archive;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The columns of an events file, version {@value #VERSION} (the README's "Archive" section documents them). Every
 * field the exchange is known to send has its own column; a field nobody knows yet, or a known one whose value has
 * another type than its column, goes into {@code extra} (one JSON object, the API's names and values), so nothing is
 * dropped. Decimals are {@code DECIMAL(28, 10)}: every Bitstamp price and amount exactly (the exchange uses at most 8
 * decimals), in every pair, since one Glue table covers all pairs and its type cannot change from pair to pair; and
 * small enough that {@code price * amount} fits DECIMAL(38) in DuckDB and Athena without a cast. A value that does not
 * fit stays in the exchange's spelling, kept beside it in every row ({@code price_text}, {@code amount_text}), and is
 * counted in the hour's coverage ({@code decimals_not_fitting}).
 */
public final class EventSchema {
    /** Written in each file's key-value metadata as {@code orderflow.schema_version}. */
    public static final int VERSION = 1;
    public static final int DECIMAL_PRECISION = 28;
    public static final int DECIMAL_SCALE = 10;
    /** Bytes of a {@code DECIMAL(28, s)} value: enough for 28 digits, two's complement. */
    static final int DECIMAL_BYTES = 12;

    /** Known string fields of the exchange (besides the named ones), in column order. */
    public static final List<String> STRINGS = List.of("order_source", "amount_traded", "amount_at_create",
            "datetime", "buy_order_id", "sell_order_id", "timestamp");
    /** Known whole-number fields. */
    public static final List<String> LONGS = List.of("order_subtype");
    /** Known boolean fields. */
    public static final List<String> BOOLEANS = List.of("is_liquidation");

    public static final MessageType SCHEMA = build();
    /**
     * The exchange's strings and ids: no engine prunes row groups by their min/max, so none is kept (it would only
     * cost time).
     */
    static final Set<String> NO_MIN_MAX = Set.of("id", "price_text", "amount_text", "event_id", "pre_event_id",
            "extra", "order_source", "amount_traded", "amount_at_create", "datetime", "buy_order_id", "sell_order_id",
            "timestamp");

    /**
     * The columns with a dictionary: those whose values repeat from event to event (the event's type, the side, a
     * second's stamp, the order's source and subtype). Every other column is written without one: ids, amounts,
     * prices and microsecond stamps have thousands of distinct values an hour, and looking each value up in a
     * dictionary (hashing its bytes) was most of the archive's time for a few bytes per event (see the README's
     * "Archive" figures); ZSTD takes much of the repetition a dictionary would.
     */
    static final Set<String> DICTIONARY = Set.of("type", "side", "order_source", "datetime", "timestamp",
            "order_subtype");
    /**
     * Strings that share long prefixes from row to row (an event id begins with the event's microtimestamp):
     * DELTA_BYTE_ARRAY, 1.4 bytes per event smaller than PLAIN for the pair of them, for 3 % more time.
     */
    static final Set<String> PREFIX_STRINGS = Set.of("event_id", "pre_event_id");
    static final Set<String> NO_DICTIONARY = SCHEMA.getFields().stream().map(Type::getName)
            .filter(name -> !DICTIONARY.contains(name)).collect(Collectors.toUnmodifiableSet());

    private EventSchema() {
    }

    private static MessageType build() {
        Types.MessageTypeBuilder b = Types.buildMessage();
        b.required(PrimitiveTypeName.INT64).named("microtimestamp");
        b.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS)).named("time");
        b.required(PrimitiveTypeName.INT64).named("received_microtimestamp");
        b.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, TimeUnit.MICROS))
                .named("received");
        string(b, "type");
        string(b, "id");
        string(b, "side");
        decimal(b, "price");
        string(b, "price_text");
        decimal(b, "amount");
        string(b, "amount_text");
        string(b, "event_id");
        string(b, "pre_event_id");
        for (String name : STRINGS) {
            string(b, name);
        }
        for (String name : LONGS) {
            b.optional(PrimitiveTypeName.INT64).named(name);
        }
        for (String name : BOOLEANS) {
            b.optional(PrimitiveTypeName.BOOLEAN).named(name);
        }
        b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.jsonType()).named("extra");
        return b.named("event");
    }

    private static void string(Types.MessageTypeBuilder b, String name) {
        b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(name);
    }

    static void decimal(Types.MessageTypeBuilder b, String name) {
        b.optional(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(DECIMAL_BYTES)
                .as(LogicalTypeAnnotation.decimalType(DECIMAL_SCALE, DECIMAL_PRECISION)).named(name);
    }

    /** Position of a column. */
    static int index(String name) {
        return SCHEMA.getFieldIndex(name);
    }

    static Type field(int index) {
        return SCHEMA.getType(index);
    }
}
