package dev.orderflow.storage;

import static dev.orderflow.storage.ChunkCodec.FORMAT;
import static dev.orderflow.storage.ChunkCodec.RECEIVED;
import static dev.orderflow.storage.ChunkCodec.TIME;
import static dev.orderflow.storage.ChunkCodec.TIME_COLUMN;
import static dev.orderflow.storage.ChunkCodec.T_ARRAY;
import static dev.orderflow.storage.ChunkCodec.T_BIG_INTEGER;
import static dev.orderflow.storage.ChunkCodec.T_CHAIN;
import static dev.orderflow.storage.ChunkCodec.T_DECIMAL;
import static dev.orderflow.storage.ChunkCodec.T_DECIMAL_STRING;
import static dev.orderflow.storage.ChunkCodec.T_DICT;
import static dev.orderflow.storage.ChunkCodec.T_DOUBLE;
import static dev.orderflow.storage.ChunkCodec.T_FALSE;
import static dev.orderflow.storage.ChunkCodec.T_FROM_STRING;
import static dev.orderflow.storage.ChunkCodec.T_INT;
import static dev.orderflow.storage.ChunkCodec.T_INT_STRING;
import static dev.orderflow.storage.ChunkCodec.T_NULL;
import static dev.orderflow.storage.ChunkCodec.T_OBJECT;
import static dev.orderflow.storage.ChunkCodec.T_SAME_AS_FIELD;
import static dev.orderflow.storage.ChunkCodec.T_STRING;
import static dev.orderflow.storage.ChunkCodec.T_TRUE;
import static dev.orderflow.storage.ChunkCodec.T_UUID;
import static dev.orderflow.storage.ChunkCodec.T_UUID_AT_TIME;
import static dev.orderflow.storage.ChunkValues.canonicalLong;
import static dev.orderflow.storage.ChunkValues.isUuid;
import static dev.orderflow.storage.ChunkValues.numberFromString;
import static dev.orderflow.storage.ChunkValues.plainDecimal;
import static dev.orderflow.storage.ChunkValues.uuidHigh;
import static dev.orderflow.storage.ChunkValues.uuidLow;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes the layout of one chunk ({@link ChunkCodec}): takes its events one by one into per-path columns, then
 * {@link #finish} puts the header (object shapes, column names and lengths) before the columns' bytes.
 */
final class ChunkEncoder {
    final Map<String, ChunkColumn> columns = new java.util.LinkedHashMap<>();
    final Map<String, Integer> shapeIndex = new HashMap<>();
    final List<List<String>> shapes = new ArrayList<>();
    String previousEventId;
    long lastReceived;
    /** The columns every event has, found once. */
    private ChunkColumn received;
    private ChunkColumn time;
    private ChunkColumn root;

    ChunkColumn column(String path) {
        return columns.computeIfAbsent(path, p -> {
            ChunkColumn c = new ChunkColumn();
            c.path = p;
            return c;
        });
    }

    /** The column of field {@code name} of the objects in {@code parent}, found without building its path. */
    ChunkColumn field(ChunkColumn parent, String name) {
        if (parent.fieldColumns == null) {
            parent.fieldColumns = new HashMap<>();
        }
        ChunkColumn c = parent.fieldColumns.get(name);
        if (c == null) {
            c = column(parent.path + '/' + name);
            parent.fieldColumns.put(name, c);
        }
        return c;
    }

    ChunkColumn elements(ChunkColumn parent) {
        if (parent.elements == null) {
            parent.elements = column(parent.path + "[]");
        }
        return parent.elements;
    }

    void event(CapturedEvent event) {
        if (root == null) { // the first event's columns come first, in this order
            received = column(RECEIVED);
            time = column(TIME);
            root = column("");
        }
        received.out.signed(event.receivedMicros() - lastReceived);
        lastReceived = event.receivedMicros();
        if (event.microtimestamp() == Frames.microtimestamp(event.frame())) {
            time.out.unsigned(0);
        } else {
            time.out.unsigned(1);
            time.out.signed(event.microtimestamp());
        }
        value(root, event.frame(), null, null, null, 0);
        JsonNode id = event.frame().get("event_id");
        previousEventId = id != null && id.isTextual() ? id.textValue() : null;
    }

    /**
     * A value; {@code parent} is the object it is field {@code name} of, {@code index} its place there and
     * {@code earlier} the texts of the fields before it ({@code null} for other values); all {@code null} for the
     * root and array elements.
     */
    void value(ChunkColumn c, JsonNode node, ObjectNode parent, String name, String[] earlier, int index) {
        ChunkBytes out = c.out;
        switch (node.getNodeType()) {
            case NULL, MISSING -> out.unsigned(T_NULL);
            case BOOLEAN -> out.unsigned(node.booleanValue() ? T_TRUE : T_FALSE);
            case OBJECT -> object(c, (ObjectNode) node, out);
            case ARRAY -> {
                out.unsigned(T_ARRAY);
                out.unsigned(node.size());
                for (JsonNode element : node) {
                    value(elements(c), element, null, null, null, 0);
                }
            }
            case STRING -> string(c, node.textValue(), name, earlier, index);
            case NUMBER -> number(c, node, parent, name);
            default -> throw new IllegalArgumentException("cannot encode " + node.getNodeType());
        }
    }

    void object(ChunkColumn c, ObjectNode node, ChunkBytes out) {
        if (!hasShape(node, c.lastShape)) { // objects of one column mostly share their shape
            List<String> names = new ArrayList<>(node.size());
            node.fieldNames().forEachRemaining(names::add);
            String key = String.join("\u0000", names);
            Integer known = shapeIndex.get(key);
            if (known == null) {
                known = shapes.size();
                shapes.add(names);
                shapeIndex.put(key, known);
            }
            c.lastShape = names;
            c.lastShapeIndex = known;
            c.lastShapeColumns = new ChunkColumn[names.size()];
        }
        out.unsigned(T_OBJECT);
        out.unsigned(c.lastShapeIndex);
        String[] texts = new String[node.size()];
        int index = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); index++) {
            Map.Entry<String, JsonNode> field = it.next();
            ChunkColumn column = c.lastShapeColumns[index];
            if (column == null) { // found when first needed: columns are listed in the order they are first met
                column = field(c, field.getKey());
                c.lastShapeColumns[index] = column;
            }
            JsonNode value = field.getValue();
            value(column, value, node, field.getKey(), texts, index);
            texts[index] = value.isTextual() ? value.textValue() : null;
        }
    }

    /** Whether the object's field names are {@code shape}, in its order (without listing them). */
    private static boolean hasShape(ObjectNode node, List<String> shape) {
        if (shape == null || shape.size() != node.size()) {
            return false;
        }
        Iterator<String> names = node.fieldNames();
        for (String name : shape) {
            if (!name.equals(names.next())) {
                return false;
            }
        }
        return true;
    }

    void string(ChunkColumn c, String s, String name, String[] earlier, int index) {
        ChunkBytes out = c.out;
        if ("pre_event_id".equals(name) && s.equals(previousEventId)) {
            out.unsigned(T_CHAIN);
            return;
        }
        for (int i = 0; i < index; i++) { // the first earlier field of the same text
            if (s.equals(earlier[i])) {
                out.unsigned(T_SAME_AS_FIELD);
                out.unsigned(i);
                return;
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
            ChunkColumn timeColumn = columns.get(TIME_COLUMN);
            if (timeColumn != null && timeColumn.lastInt == high) {
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

    void number(ChunkColumn c, JsonNode node, ObjectNode parent, String name) {
        ChunkBytes out = c.out;
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
        ChunkBytes header = new ChunkBytes();
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
        for (Map.Entry<String, ChunkColumn> column : columns.entrySet()) {
            header.string(column.getKey());
            header.unsigned(column.getValue().out.size());
        }
        for (ChunkColumn column : columns.values()) {
            header.append(column.out);
        }
        return header.toByteArray();
    }
}
