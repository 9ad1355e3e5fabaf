package dev.orderflow.storage;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
 */
public final class ChunkCodec {
    /** The payload version {@link #encode} writes. */
    public static final int VERSION = 2;
    /** The layout of the inflated bytes, written first in them (the same in payload versions 1 and 2). */
    private static final int FORMAT = 1;

    private static final int T_NULL = 0;
    private static final int T_TRUE = 1;
    private static final int T_FALSE = 2;
    private static final int T_OBJECT = 3;
    private static final int T_ARRAY = 4;
    private static final int T_STRING = 5;
    private static final int T_DICT = 6;
    private static final int T_INT_STRING = 7;
    private static final int T_DECIMAL_STRING = 8;
    private static final int T_UUID = 9;
    private static final int T_UUID_AT_TIME = 10;
    private static final int T_CHAIN = 11;
    private static final int T_INT = 12;
    private static final int T_DECIMAL = 13;
    private static final int T_BIG_INTEGER = 14;
    private static final int T_FROM_STRING = 15;
    private static final int T_SAME_AS_FIELD = 16;
    private static final int T_DOUBLE = 17;

    private static final String RECEIVED = "@received";
    private static final String TIME = "@time";
    private static final String TIME_COLUMN = "/data/microtimestamp";
    private static final int DICT_MAX = 250;
    private static final int DICT_MAX_LENGTH = 48;
    static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

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
        Encoder encoder = new Encoder();
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
        Decoder decoder = new Decoder(Deflate.inflate(payload, dictionary(version)));
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
        Decoder decoder = new Decoder(Deflate.inflate(payload, dictionary(version)));
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

    // ---- shared value forms -------------------------------------------------------------------------------------

    /** Column state shared by the encoder and decoder: both update it identically, value by value. */
    private static final class Column {
        final Bytes out = new Bytes();
        Reader in;
        /** Decoding: the path, the columns of each object shape's fields and of array elements, found once. */
        String path;
        Column[][] shapeFields;
        Column elements;
        long lastInt;
        long lastUnscaled;
        long lastHigh;
        long lastLow;
        final List<String> dict = new ArrayList<>();
        final Map<String, Integer> dictIndex = new HashMap<>();
        /** Encoding: the columns of this object column's fields by name, and the shape of its last object. */
        Map<String, Column> fieldColumns;
        /** Encoding: the name of the {@code <name>_str} sibling of this number column's field. */
        String stringSibling;
        List<String> lastShape;
        int lastShapeIndex;

        void remember(String s) {
            if (s.length() <= DICT_MAX_LENGTH && dict.size() < DICT_MAX) {
                dictIndex.put(s, dict.size());
                dict.add(s);
            }
        }
    }

    /** A whole number spelt canonically ("0", "-12", no leading zeros) that fits a long, or null. */
    private static Long canonicalLong(String s) {
        int n = s.length();
        if (n == 0 || n > 18) {
            return null;
        }
        int start = s.charAt(0) == '-' ? 1 : 0;
        if (start == n || (s.charAt(start) == '0' && n - start > 1) || (start == 1 && n == 2 && s.charAt(1) == '0')) {
            return null;
        }
        for (int i = start; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return Long.parseLong(s);
    }

    /**
     * A plain decimal ("58356.10", "0.00000000") that re-spells exactly from (unscaled, scale), or null. Up to 18
     * digits {@link PlainDecimal} reads it (the spellings of prices and amounts); longer ones go through
     * {@code BigDecimal}.
     */
    static BigDecimal plainDecimal(String s) {
        int n = s.length();
        int start = n > 0 && s.charAt(0) == '-' ? 1 : 0;
        int dot = s.indexOf('.');
        if (dot <= start || dot == n - 1 || n > 40) {
            return null;
        }
        if (s.charAt(start) == '0' && dot - start > 1) {
            return null; // a leading zero: "00.5" re-spells as "0.5"
        }
        long unscaled = PlainDecimal.unscaled(s);
        if (unscaled == PlainDecimal.NOT_PLAIN) {
            return longPlainDecimal(s); // more than 18 digits, or not a plain spelling at all
        }
        if (start == 1 && unscaled == 0) {
            return null; // "-0.00" re-spells as "0.00"
        }
        return BigDecimal.valueOf(unscaled, PlainDecimal.scale(s));
    }

    /** {@link #plainDecimal} through {@code BigDecimal}: for long spellings, and null for what does not parse. */
    private static BigDecimal longPlainDecimal(String s) {
        BigDecimal value;
        try {
            value = new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null; // "1.2.3"
        }
        if (value.scale() > 60 || value.unscaledValue().bitLength() > 62 || !value.toPlainString().equals(s)) {
            return null;
        }
        return value;
    }

    private static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** The first 16 hex digits of a uuid {@link #isUuid} accepted. */
    private static long uuidHigh(String s) {
        return hex(s, 0, 18);
    }

    /** The last 16 hex digits of a uuid {@link #isUuid} accepted. */
    private static long uuidLow(String s) {
        return hex(s, 19, 36);
    }

    /** The lowercase hex digits of {@code s[from, to)} as one number, dashes skipped. */
    private static long hex(String s, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c != '-') {
                v = v << 4 | (c <= '9' ? c - '0' : c - 'a' + 10);
            }
        }
        return v;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static String uuid(long high, long low) {
        return new String(uuidBytes(high, low), StandardCharsets.ISO_8859_1);
    }

    /** {@link #uuid}'s text as ASCII bytes. */
    static byte[] uuidBytes(long high, long low) {
        byte[] c = new byte[36];
        int at = 0;
        for (int i = 15; i >= 0; i--) {
            c[at++] = HEX[(int) (high >>> (4 * i)) & 0xF];
            if (at == 8 || at == 13) {
                c[at++] = '-';
            }
        }
        c[at++] = '-';
        for (int i = 15; i >= 0; i--) {
            c[at++] = HEX[(int) (low >>> (4 * i)) & 0xF];
            if (at == 23) {
                c[at++] = '-';
            }
        }
        return c;
    }

    /** The number a {@code <name>_str} sibling stands for, as the frame parser would have built it. */
    static JsonNode numberFromString(String s) {
        JsonNode plain = plainNumber(s);
        return plain != null ? plain : anyNumber(s);
    }

    /** {@link #numberFromString} through {@code BigDecimal}, for every spelling it accepts. */
    static JsonNode anyNumber(String s) {
        BigDecimal value;
        try {
            value = new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() <= 0) {
            return integral(stripped.toBigIntegerExact());
        }
        return NODES.numberNode(stripped);
    }

    /** {@link #numberFromString} without {@code BigDecimal} for {@link PlainDecimal}'s spellings; else {@code null}. */
    static JsonNode plainNumber(String s) {
        long unscaled = PlainDecimal.unscaled(s);
        if (unscaled == PlainDecimal.NOT_PLAIN) {
            return null;
        }
        int scale = PlainDecimal.scale(s);
        while (scale > 0 && unscaled % 10 == 0) {
            unscaled /= 10;
            scale--;
        }
        return scale == 0 ? integral(unscaled) : NODES.numberNode(BigDecimal.valueOf(unscaled, scale));
    }

    /** {@code BigDecimal.valueOf(unscaled, scale).toPlainString()} for {@code scale >= 0}, without the BigDecimal. */
    static String plainDecimalText(long unscaled, int scale) {
        if (scale == 0 || unscaled == Long.MIN_VALUE) {
            return scale == 0 ? Long.toString(unscaled) : BigDecimal.valueOf(unscaled, scale).toPlainString();
        }
        return new String(plainDecimalBytes(unscaled, scale), StandardCharsets.ISO_8859_1);
    }

    /** {@link #plainDecimalText} as ASCII bytes (scale 0: the whole number's digits). */
    static byte[] plainDecimalBytes(long unscaled, int scale) {
        if (unscaled == Long.MIN_VALUE) {
            return plainDecimalText(unscaled, scale).getBytes(StandardCharsets.ISO_8859_1);
        }
        long v = Math.abs(unscaled);
        int digits = 1;
        while (digits < 19 && v >= PlainDecimal.tenTo(digits)) {
            digits++;
        }
        int whole = Math.max(digits - scale, 1);
        byte[] b = new byte[(unscaled < 0 ? 1 : 0) + whole + (scale > 0 ? 1 + scale : 0)];
        int at = b.length;
        for (int written = 0; written < scale; written++) {
            long rest = v / 10;
            b[--at] = (byte) ('0' + (v - rest * 10));
            v = rest;
        }
        if (scale > 0) {
            b[--at] = '.';
        }
        do {
            long rest = v / 10;
            b[--at] = (byte) ('0' + (v - rest * 10));
            v = rest;
        } while (v > 0);
        if (unscaled < 0) {
            b[0] = '-';
        }
        return b;
    }

    private static JsonNode integral(BigInteger value) {
        if (value.bitLength() < 32) {
            return NODES.numberNode(value.intValue());
        }
        if (value.bitLength() < 64) {
            return NODES.numberNode(value.longValue());
        }
        return NODES.numberNode(value);
    }

    static JsonNode integral(long value) {
        return value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value);
    }

    // ---- encoder -------------------------------------------------------------------------------------------------

    private static final class Encoder {
        final Map<String, Column> columns = new java.util.LinkedHashMap<>();
        final Map<String, Integer> shapeIndex = new HashMap<>();
        final List<List<String>> shapes = new ArrayList<>();
        String previousEventId;
        long lastReceived;

        Column column(String path) {
            return columns.computeIfAbsent(path, p -> {
                Column c = new Column();
                c.path = p;
                return c;
            });
        }

        /** The column of field {@code name} of the objects in {@code parent}, found without building its path. */
        Column field(Column parent, String name) {
            if (parent.fieldColumns == null) {
                parent.fieldColumns = new HashMap<>();
            }
            Column c = parent.fieldColumns.get(name);
            if (c == null) {
                c = column(parent.path + '/' + name);
                parent.fieldColumns.put(name, c);
            }
            return c;
        }

        Column elements(Column parent) {
            if (parent.elements == null) {
                parent.elements = column(parent.path + "[]");
            }
            return parent.elements;
        }

        void event(CapturedEvent event) {
            Column received = column(RECEIVED);
            received.out.signed(event.receivedMicros() - lastReceived);
            lastReceived = event.receivedMicros();
            Column time = column(TIME);
            if (event.microtimestamp() == Frames.microtimestamp(event.frame())) {
                time.out.unsigned(0);
            } else {
                time.out.unsigned(1);
                time.out.signed(event.microtimestamp());
            }
            value(column(""), event.frame(), null, null);
            JsonNode id = event.frame().get("event_id");
            previousEventId = id != null && id.isTextual() ? id.textValue() : null;
        }

        void value(Column c, JsonNode node, ObjectNode parent, String name) {
            Bytes out = c.out;
            switch (node.getNodeType()) {
                case NULL, MISSING -> out.unsigned(T_NULL);
                case BOOLEAN -> out.unsigned(node.booleanValue() ? T_TRUE : T_FALSE);
                case OBJECT -> object(c, (ObjectNode) node, out);
                case ARRAY -> {
                    out.unsigned(T_ARRAY);
                    out.unsigned(node.size());
                    for (JsonNode element : node) {
                        value(elements(c), element, null, null);
                    }
                }
                case STRING -> string(c, node.textValue(), parent, name);
                case NUMBER -> number(c, node, parent, name);
                default -> throw new IllegalArgumentException("cannot encode " + node.getNodeType());
            }
        }

        void object(Column c, ObjectNode node, Bytes out) {
            List<String> names = new ArrayList<>(node.size());
            node.fieldNames().forEachRemaining(names::add);
            int shape;
            if (names.equals(c.lastShape)) {
                shape = c.lastShapeIndex; // objects of one column mostly share their shape
            } else {
                Integer known = shapeIndex.get(String.join("\u0000", names));
                if (known == null) {
                    known = shapes.size();
                    shapes.add(names);
                    shapeIndex.put(String.join("\u0000", names), known);
                }
                shape = known;
                c.lastShape = names;
                c.lastShapeIndex = shape;
            }
            out.unsigned(T_OBJECT);
            out.unsigned(shape);
            for (String field : names) {
                value(field(c, field), node.get(field), node, field);
            }
        }

        void string(Column c, String s, ObjectNode parent, String name) {
            Bytes out = c.out;
            if ("pre_event_id".equals(name) && s.equals(previousEventId)) {
                out.unsigned(T_CHAIN);
                return;
            }
            if (parent != null) {
                int index = 0;
                for (Iterator<Map.Entry<String, JsonNode>> it = parent.fields(); it.hasNext(); index++) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (field.getKey().equals(name)) {
                        break;
                    }
                    if (field.getValue().isTextual() && field.getValue().textValue().equals(s)) {
                        out.unsigned(T_SAME_AS_FIELD);
                        out.unsigned(index);
                        return;
                    }
                }
            }
            Long whole = canonicalLong(s);
            if (whole != null) {
                out.unsigned(T_INT_STRING);
                out.signed(whole - c.lastInt);
                c.lastInt = whole;
                return;
            }
            BigDecimal decimal = plainDecimal(s);
            if (decimal != null) {
                long unscaled = decimal.unscaledValue().longValue();
                out.unsigned(T_DECIMAL_STRING);
                out.unsigned(decimal.scale());
                out.signed(unscaled - c.lastUnscaled);
                c.lastUnscaled = unscaled;
                return;
            }
            if (isUuid(s)) {
                long high = uuidHigh(s);
                long low = uuidLow(s);
                Column time = columns.get(TIME_COLUMN);
                if (time != null && time.lastInt == high) {
                    out.unsigned(T_UUID_AT_TIME);
                } else {
                    out.unsigned(T_UUID);
                    out.signed(high - c.lastHigh);
                }
                out.signed(low - c.lastLow);
                c.lastHigh = high;
                c.lastLow = low;
                return;
            }
            Integer known = c.dictIndex.get(s);
            if (known != null) {
                out.unsigned(T_DICT);
                out.unsigned(known);
                return;
            }
            out.unsigned(T_STRING);
            out.string(s);
            c.remember(s);
        }

        void number(Column c, JsonNode node, ObjectNode parent, String name) {
            Bytes out = c.out;
            if (parent != null) {
                if (c.stringSibling == null) {
                    c.stringSibling = name + "_str"; // one name per column: its path ends with it
                }
                JsonNode sibling = parent.get(c.stringSibling);
                if (sibling != null && sibling.isTextual() && node.equals(numberFromString(sibling.textValue()))) {
                    out.unsigned(T_FROM_STRING);
                    return;
                }
            }
            if (node.isInt() || node.isLong()) {
                long v = node.longValue();
                out.unsigned(T_INT);
                out.signed(v - c.lastInt);
                c.lastInt = v;
            } else if (node.isBigInteger()) {
                out.unsigned(T_BIG_INTEGER);
                out.string(node.bigIntegerValue().toString());
            } else if (node.isBigDecimal()) {
                out.unsigned(T_DECIMAL);
                out.string(node.decimalValue().toString());
            } else {
                out.unsigned(T_DOUBLE);
                out.fixed64(Double.doubleToRawLongBits(node.doubleValue()));
            }
        }

        byte[] finish(int count) {
            Bytes header = new Bytes();
            header.unsigned(FORMAT);
            header.unsigned(count);
            header.unsigned(shapes.size());
            for (List<String> shape : shapes) {
                header.unsigned(shape.size());
                for (String field : shape) {
                    header.string(field);
                }
            }
            header.unsigned(columns.size());
            for (Map.Entry<String, Column> column : columns.entrySet()) {
                header.string(column.getKey());
                header.unsigned(column.getValue().out.size());
            }
            for (Column column : columns.values()) {
                header.append(column.out);
            }
            return header.toByteArray();
        }
    }

    // ---- decoder -------------------------------------------------------------------------------------------------

    private static final class Decoder {
        final Reader in;
        final Map<String, Column> columns = new HashMap<>();
        final List<String[]> shapes = new ArrayList<>();
        String previousEventId;
        long lastReceived;
        Column received;
        Column time;
        Column root;
        Column timeColumn;
        /** Reading views: the previous event's {@code event_id}, and names looked up in every event. */
        final EventView.Slot previousEventIdSlot = new EventView.Slot();
        final EventView.Name eventIdName = new EventView.Name("event_id");
        final EventView.Name microtimestampName = new EventView.Name("microtimestamp");

        Decoder(byte[] bytes) {
            this.in = new Reader(bytes, 0, bytes.length);
        }

        int header() {
            int version = (int) in.unsigned();
            if (version != FORMAT) {
                throw new IllegalArgumentException("unknown chunk layout version " + version);
            }
            int count = (int) in.unsigned();
            int shapeCount = (int) in.unsigned();
            for (int i = 0; i < shapeCount; i++) {
                String[] names = new String[(int) in.unsigned()];
                for (int j = 0; j < names.length; j++) {
                    names[j] = in.string();
                }
                shapes.add(names);
            }
            int columnCount = (int) in.unsigned();
            String[] paths = new String[columnCount];
            int[] lengths = new int[columnCount];
            for (int i = 0; i < columnCount; i++) {
                paths[i] = in.string();
                lengths[i] = (int) in.unsigned();
            }
            int offset = in.position;
            for (int i = 0; i < columnCount; i++) {
                Column column = new Column();
                column.in = new Reader(in.bytes, offset, offset + lengths[i]);
                column.path = paths[i];
                offset += lengths[i];
                columns.put(paths[i], column);
            }
            if (count > 0) {
                received = column(RECEIVED);
                time = column(TIME);
                root = column("");
            }
            timeColumn = columns.get(TIME_COLUMN);
            return count;
        }

        /** The columns of the fields of objects of {@code shape} under {@code parent}. */
        Column[] fields(Column parent, int shape) {
            if (parent.shapeFields == null) {
                parent.shapeFields = new Column[shapes.size()][];
            }
            Column[] fields = parent.shapeFields[shape];
            if (fields == null) {
                String[] names = shapes.get(shape);
                fields = new Column[names.length];
                for (int i = 0; i < names.length; i++) {
                    fields[i] = column(parent.path + '/' + names[i]);
                }
                parent.shapeFields[shape] = fields;
            }
            return fields;
        }

        Column elements(Column parent) {
            if (parent.elements == null) {
                parent.elements = column(parent.path + "[]");
            }
            return parent.elements;
        }

        Column column(String path) {
            Column c = columns.get(path);
            if (c == null) {
                throw new IllegalArgumentException("chunk has no column " + path);
            }
            return c;
        }

        CapturedEvent event() {
            long receivedAt = lastReceived + received.in.signed();
            lastReceived = receivedAt;
            Reader timeIn = time.in;
            Long explicitTime = timeIn.unsigned() == 0 ? null : timeIn.signed();
            JsonNode frame = value(root, null);
            if (!frame.isObject()) {
                throw new IllegalArgumentException("chunk event is not an object");
            }
            JsonNode id = frame.get("event_id");
            previousEventId = id != null && id.isTextual() ? id.textValue() : null;
            long microtimestamp = explicitTime != null ? explicitTime : Frames.microtimestamp(frame);
            return new CapturedEvent(microtimestamp, receivedAt, (ObjectNode) frame);
        }

        /** Reads the next event into {@code view}: the frame's fields and its {@code data} fields, as slots. */
        void view(EventView view) {
            long receivedAt = lastReceived + received.in.signed();
            lastReceived = receivedAt;
            Reader timeIn = time.in;
            boolean explicit = timeIn.unsigned() != 0;
            long explicitTime = explicit ? timeIn.signed() : 0;
            Reader r = root.in;
            if (r.unsigned() != T_OBJECT) {
                throw new IllegalArgumentException("chunk event is not an object");
            }
            int shape = shape(r, root);
            EventView.Fields frame = view.frame;
            frame.reset(shapes.get(shape));
            slots(fields(root, shape), frame, true);
            // the event id, for a next pre_event_id that repeats it: kept as its parts, spelt only if asked for
            int id = frame.find(eventIdName);
            boolean textual = id >= 0 && frame.kind(id) == EventView.Kind.STRING;
            if (textual) {
                previousEventIdSlot.copy(frame.slots[id]);
            } else {
                previousEventIdSlot.set(EventView.Slot.NULL);
            }
            view.receivedMicros = receivedAt;
            view.microtimestamp = explicit ? explicitTime : viewTime(view);
        }

        /** {@link Frames#microtimestamp} of the event in {@code view}. */
        private long viewTime(EventView view) {
            EventView.Fields data = view.data();
            int i = data == null ? -1 : data.find(microtimestampName);
            if (i < 0) {
                return -1;
            }
            EventView.Slot slot = data.slots[i];
            if (slot.kind == EventView.Slot.INT_STRING || slot.kind == EventView.Slot.INT) {
                return slot.a;
            }
            if (data.kind(i) != EventView.Kind.STRING && !data.isWholeNumber(i)) {
                return -1;
            }
            try {
                return Long.parseLong(data.text(i));
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private int shape(Reader r, Column c) {
            int shape = (int) r.unsigned();
            if (shape >= shapes.size()) {
                throw new IllegalArgumentException("bad object shape " + shape + " in column " + c.path);
            }
            return shape;
        }

        /** Reads the fields of one object into {@code into}; objects in a frame's fields are read the same way. */
        private void slots(Column[] fields, EventView.Fields into, boolean frame) {
            for (int i = 0; i < into.size; i++) {
                slot(fields[i], into, i, frame);
            }
        }

        private void slot(Column c, EventView.Fields owner, int index, boolean inFrame) {
            EventView.Slot slot = owner.slots[index];
            Reader r = c.in;
            int start = r.position;
            int tag = (int) r.unsigned();
            switch (tag) {
                case T_NULL -> slot.set(EventView.Slot.NULL);
                case T_TRUE -> slot.set(EventView.Slot.TRUE);
                case T_FALSE -> slot.set(EventView.Slot.FALSE);
                case T_OBJECT -> {
                    if (inFrame) {
                        int shape = shape(r, c);
                        slot.set(EventView.Slot.OBJECT);
                        if (slot.object == null) {
                            slot.object = new EventView.Fields();
                        }
                        slot.object.reset(shapes.get(shape));
                        slots(fields(c, shape), slot.object, false);
                    } else {
                        r.position = start;
                        slot.set(EventView.Slot.TREE);
                        slot.tree = value(c, null);
                    }
                }
                case T_STRING -> {
                    slot.set(EventView.Slot.STRING);
                    slot.text = r.string();
                    c.remember(slot.text);
                }
                case T_DICT -> {
                    slot.set(EventView.Slot.STRING);
                    slot.text = c.dict.get((int) r.unsigned());
                }
                case T_INT_STRING -> {
                    c.lastInt += r.signed();
                    slot.set(EventView.Slot.INT_STRING);
                    slot.a = c.lastInt;
                }
                case T_DECIMAL_STRING -> {
                    slot.scale = (int) r.unsigned();
                    c.lastUnscaled += r.signed();
                    slot.set(EventView.Slot.DECIMAL_STRING);
                    slot.a = c.lastUnscaled;
                }
                case T_UUID, T_UUID_AT_TIME -> {
                    if (tag == T_UUID_AT_TIME && timeColumn == null) {
                        throw new IllegalArgumentException("chunk has no column " + TIME_COLUMN);
                    }
                    c.lastHigh = tag == T_UUID ? c.lastHigh + r.signed() : timeColumn.lastInt;
                    c.lastLow += r.signed();
                    slot.set(EventView.Slot.UUID);
                    slot.a = c.lastHigh;
                    slot.b = c.lastLow;
                }
                case T_CHAIN -> slot.copy(previousEventIdSlot);
                case T_INT -> {
                    c.lastInt += r.signed();
                    slot.set(EventView.Slot.INT);
                    slot.a = c.lastInt;
                }
                case T_DECIMAL, T_BIG_INTEGER -> {
                    slot.set(EventView.Slot.NUMBER_TEXT);
                    slot.text = r.string();
                    slot.b = tag == T_BIG_INTEGER ? 1 : 0;
                }
                case T_FROM_STRING -> slot.set(EventView.Slot.FROM_STRING);
                case T_SAME_AS_FIELD -> {
                    int earlier = (int) r.unsigned();
                    if (earlier >= index) {
                        throw new IllegalArgumentException("bad field reference in column " + c.path);
                    }
                    slot.copy(owner.slots[earlier]);
                }
                default -> {
                    r.position = start;
                    slot.set(EventView.Slot.TREE);
                    slot.tree = value(c, null);
                }
            }
        }

        /** Decodes one value; {@code parent} is the object being filled (for back-references), or null. */
        JsonNode value(Column c, ObjectNode parent) {
            Reader r = c.in;
            int tag = (int) r.unsigned();
            switch (tag) {
                case T_NULL:
                    return NODES.nullNode();
                case T_TRUE:
                    return NODES.booleanNode(true);
                case T_FALSE:
                    return NODES.booleanNode(false);
                case T_OBJECT: {
                    int shape = (int) r.unsigned();
                    if (shape >= shapes.size()) {
                        throw new IllegalArgumentException("bad object shape " + shape + " in column " + c.path);
                    }
                    return object(fields(c, shape), shapes.get(shape));
                }
                case T_ARRAY: {
                    int size = (int) r.unsigned();
                    ArrayNode array = NODES.arrayNode(size);
                    Column elements = size == 0 ? null : elements(c);
                    for (int i = 0; i < size; i++) {
                        array.add(value(elements, null));
                    }
                    return array;
                }
                case T_STRING: {
                    String s = r.string();
                    c.remember(s);
                    return NODES.textNode(s);
                }
                case T_DICT:
                    return NODES.textNode(c.dict.get((int) r.unsigned()));
                case T_INT_STRING:
                    c.lastInt += r.signed();
                    return NODES.textNode(Long.toString(c.lastInt));
                case T_DECIMAL_STRING: {
                    int scale = (int) r.unsigned();
                    c.lastUnscaled += r.signed();
                    return NODES.textNode(plainDecimalText(c.lastUnscaled, scale));
                }
                case T_UUID:
                case T_UUID_AT_TIME: {
                    if (tag == T_UUID_AT_TIME && timeColumn == null) {
                        throw new IllegalArgumentException("chunk has no column " + TIME_COLUMN);
                    }
                    long high = tag == T_UUID ? c.lastHigh + r.signed() : timeColumn.lastInt;
                    c.lastHigh = high;
                    c.lastLow += r.signed();
                    return NODES.textNode(uuid(high, c.lastLow));
                }
                case T_CHAIN:
                    return NODES.textNode(previousEventId);
                case T_INT:
                    c.lastInt += r.signed();
                    return integral(c.lastInt);
                case T_DECIMAL:
                    return NODES.numberNode(new BigDecimal(r.string()));
                case T_BIG_INTEGER:
                    return NODES.numberNode(new BigInteger(r.string()));
                case T_FROM_STRING:
                    return null; // filled in by object() once the sibling string is known
                case T_SAME_AS_FIELD: {
                    int index = (int) r.unsigned();
                    Iterator<JsonNode> it = parent.elements();
                    for (int i = 0; i < index; i++) {
                        it.next();
                    }
                    return it.next().deepCopy();
                }
                case T_DOUBLE:
                    return NODES.numberNode(Double.longBitsToDouble(r.fixed64()));
                default:
                    throw new IllegalArgumentException("bad value tag " + tag + " in column " + c.path);
            }
        }

        ObjectNode object(Column[] fields, String[] names) {
            ObjectNode node = NODES.objectNode();
            List<String> fromString = null;
            for (int i = 0; i < names.length; i++) {
                String name = names[i];
                JsonNode v = value(fields[i], node);
                if (v == null) {
                    if (fromString == null) {
                        fromString = new ArrayList<>(3);
                    }
                    fromString.add(name);
                    node.putNull(name);
                } else {
                    node.set(name, v);
                }
            }
            if (fromString != null) {
                for (String name : fromString) {
                    node.set(name, numberFromString(node.get(name + "_str").textValue()));
                }
            }
            return node;
        }
    }

    // ---- bytes ---------------------------------------------------------------------------------------------------

    private static final class Bytes extends ByteArrayOutputStream {
        Bytes() {
            super(64);
        }

        void unsigned(long v) {
            while ((v & ~0x7FL) != 0) {
                write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            write((int) v);
        }

        void signed(long v) {
            unsigned((v << 1) ^ (v >> 63));
        }

        void fixed64(long v) {
            for (int i = 0; i < 8; i++) {
                write((int) (v >>> (8 * i)));
            }
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            unsigned(b.length);
            write(b, 0, b.length);
        }

        void append(Bytes other) {
            write(other.buf, 0, other.count);
        }
    }

    private static final class Reader {
        final byte[] bytes;
        int position;
        final int end;

        Reader(byte[] bytes, int position, int end) {
            if (end > bytes.length || position > end) {
                throw new IllegalArgumentException("chunk payload is truncated");
            }
            this.bytes = bytes;
            this.position = position;
            this.end = end;
        }

        private int next() {
            if (position >= end) {
                throw new IllegalArgumentException("chunk column is truncated");
            }
            return bytes[position++] & 0xFF;
        }

        long unsigned() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = next();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }

        long signed() {
            long v = unsigned();
            return (v >>> 1) ^ -(v & 1);
        }

        long fixed64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v |= (long) next() << (8 * i);
            }
            return v;
        }

        String string() {
            int length = (int) unsigned();
            if (length < 0 || position + length > end) {
                throw new IllegalArgumentException("chunk string is truncated");
            }
            String s = new String(bytes, position, length, StandardCharsets.UTF_8);
            position += length;
            return s;
        }
    }
}
