package dev.orderflow.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes the events of one chunk losslessly and compactly: every frame comes back as the same JSON tree (same fields in
 * the same order, same strings, numbers with the same value and scale).
 *
 * <p>Layout (version 1), all of it raw-deflated: {@code varint events}, the object shapes (each a list of field names),
 * then one column per JSON path ({@code /data/price_str}, {@code /event_id}, …) holding that path's values of every event
 * in order. Values are tagged: integers in strings ({@code id_str}, {@code microtimestamp}) and plain decimal strings
 * ({@code price_str}) are stored as deltas to the previous value of the column, exactly re-spelt on decoding; UUID-shaped
 * {@code event_id}s as two 64-bit deltas, whose high half is usually the event's own microtimestamp; a
 * {@code pre_event_id} equal to the previous event's {@code event_id} as one byte; a number field equal to its
 * {@code <name>_str} sibling as one byte; a string equal to an earlier field of the same object as a back-reference;
 * repeated short strings through a per-column dictionary. Anything else is stored as written. Grouping by column puts
 * similar bytes together for the deflater.
 *
 * <p>Payload versions (the item's {@code v}): 1, the layout above raw-deflated; 2 (written now), the same layout
 * raw-deflated with a preset dictionary ({@link ChunkDictionary}), which saves most of what the object shapes and
 * column names cost a small chunk.
 *
 * <p>This class is the format's entry point and holds its constants. {@link ChunkEncoder} writes the layout and
 * {@link ChunkDecoder} reads it, column by column ({@link ChunkColumn}), with the value forms of {@link ChunkValues};
 * {@link ChunkBytes} and {@link ChunkBytesReader} are the bytes written and read.
 */
public final class ChunkCodec {
    /** The payload version {@link #encode} writes. */
    public static final int VERSION = 2;
    /** The layout of the inflated bytes, written first in them (the same in payload versions 1 and 2). */
    static final int FORMAT = 1;

    static final int T_NULL = 0;
    static final int T_TRUE = 1;
    static final int T_FALSE = 2;
    static final int T_OBJECT = 3;
    static final int T_ARRAY = 4;
    static final int T_STRING = 5;
    static final int T_DICT = 6;
    static final int T_INT_STRING = 7;
    static final int T_DECIMAL_STRING = 8;
    static final int T_UUID = 9;
    static final int T_UUID_AT_TIME = 10;
    static final int T_CHAIN = 11;
    static final int T_INT = 12;
    static final int T_DECIMAL = 13;
    static final int T_BIG_INTEGER = 14;
    static final int T_FROM_STRING = 15;
    static final int T_SAME_AS_FIELD = 16;
    static final int T_DOUBLE = 17;

    static final String RECEIVED = "@received";
    static final String TIME = "@time";
    static final String TIME_COLUMN = "/data/microtimestamp";
    static final int DICT_MAX = 250;
    static final int DICT_MAX_LENGTH = 48;

    private ChunkCodec() {
    }

    /** The events as a payload of the current {@link #VERSION}. */
    public static byte[] encode(List<CapturedEvent> events) {
        return encode(events, VERSION);
    }

    /** The events as a payload of {@code version} (1 or 2). */
    public static byte[] encode(List<CapturedEvent> events, int version) {
        return Deflate.deflate(layout(events), dictionary(version), Deflate.CHUNK_LEVEL);
    }

    /** The inflated layout of the events, before any deflating. */
    static byte[] layout(List<CapturedEvent> events) {
        ChunkEncoder encoder = new ChunkEncoder();
        for (CapturedEvent event : events) {
            encoder.event(event);
        }
        return encoder.finish(events.size());
    }

    /** The preset dictionary of a payload version: none for 1. */
    private static byte[] dictionary(int version) {
        return switch (version) {
            case 1 -> null;
            case 2 -> ChunkDictionary.V2;
            default -> throw new IllegalArgumentException("unknown chunk payload version " + version);
        };
    }

    public static List<CapturedEvent> decode(byte[] payload) {
        return decode(payload, VERSION);
    }

    /** The events of a payload of {@code version}; throws IllegalArgumentException when it is not readable. */
    public static List<CapturedEvent> decode(byte[] payload, int version) {
        ChunkDecoder decoder = new ChunkDecoder(Deflate.inflate(payload, dictionary(version)));
        int count = decoder.header();
        List<CapturedEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(decoder.event());
        }
        return events;
    }

    /**
     * The events of a chunk without building their frames: see {@link EventView}. Throws as {@link #decode} does
     * when the payload is not a readable chunk (also part-way through, from {@link EventView.Events#next()}).
     */
    public static EventView.Events view(byte[] payload) {
        return view(payload, VERSION);
    }

    /** {@link #view(byte[])} of a payload of {@code version}. */
    public static EventView.Events view(byte[] payload, int version) {
        ChunkDecoder decoder = new ChunkDecoder(Deflate.inflate(payload, dictionary(version)));
        int count = decoder.header();
        EventView view = new EventView();
        return new EventView.Events() {
            private int read;

            @Override
            public boolean next() {
                if (read >= count) {
                    return false;
                }
                read++;
                decoder.view(view);
                return true;
            }

            @Override
            public EventView event() {
                return view;
            }

            @Override
            public int size() {
                return count;
            }
        };
    }
}
