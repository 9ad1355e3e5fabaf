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
import static dev.orderflow.storage.ChunkValues.NODES;
import static dev.orderflow.storage.ChunkValues.integral;
import static dev.orderflow.storage.ChunkValues.numberFromString;
import static dev.orderflow.storage.ChunkValues.plainDecimalText;
import static dev.orderflow.storage.ChunkValues.uuid;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads the layout of one chunk ({@link ChunkCodec}): {@link #header} first, then each event in turn, either as its
 * JSON frame ({@link #event}) or into an {@link EventView} without building the frame ({@link #view}).
 */
final class ChunkDecoder {
    final ChunkBytesReader in;
    final Map<String, ChunkColumn> columns = new HashMap<>();
    final List<String[]> shapes = new ArrayList<>();
    String previousEventId;
    long lastReceived;
    ChunkColumn received;
    ChunkColumn time;
    ChunkColumn root;
    ChunkColumn timeColumn;
    /** Reading views: the previous event's {@code event_id}, and names looked up in every event. */
    final EventView.Slot previousEventIdSlot = new EventView.Slot();
    final EventView.Name eventIdName = new EventView.Name("event_id");
    final EventView.Name microtimestampName = new EventView.Name("microtimestamp");

    ChunkDecoder(byte[] bytes) {
        this.in = new ChunkBytesReader(bytes, 0, bytes.length);
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
            ChunkColumn column = new ChunkColumn();
            column.in = new ChunkBytesReader(in.bytes, offset, offset + lengths[i]);
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
    ChunkColumn[] fields(ChunkColumn parent, int shape) {
        if (parent.shapeFields == null) {
            parent.shapeFields = new ChunkColumn[shapes.size()][];
        }
        ChunkColumn[] fields = parent.shapeFields[shape];
        if (fields == null) {
            String[] names = shapes.get(shape);
            fields = new ChunkColumn[names.length];
            for (int i = 0; i < names.length; i++) {
                fields[i] = column(parent.path + '/' + names[i]);
            }
            parent.shapeFields[shape] = fields;
        }
        return fields;
    }

    ChunkColumn elements(ChunkColumn parent) {
        if (parent.elements == null) {
            parent.elements = column(parent.path + "[]");
        }
        return parent.elements;
    }

    ChunkColumn column(String path) {
        ChunkColumn c = columns.get(path);
        if (c == null) {
            throw new IllegalArgumentException("chunk has no column " + path);
        }
        return c;
    }

    CapturedEvent event() {
        long receivedAt = lastReceived + received.in.signed();
        lastReceived = receivedAt;
        ChunkBytesReader timeIn = time.in;
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
        ChunkBytesReader timeIn = time.in;
        boolean explicit = timeIn.unsigned() != 0;
        long explicitTime = explicit ? timeIn.signed() : 0;
        ChunkBytesReader r = root.in;
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

    private int shape(ChunkBytesReader r, ChunkColumn c) {
        int shape = (int) r.unsigned();
        if (shape >= shapes.size()) {
            throw new IllegalArgumentException("bad object shape " + shape + " in column " + c.path);
        }
        return shape;
    }

    /** Reads the fields of one object into {@code into}; objects in a frame's fields are read the same way. */
    private void slots(ChunkColumn[] fields, EventView.Fields into, boolean frame) {
        for (int i = 0; i < into.size; i++) {
            slot(fields[i], into, i, frame);
        }
    }

    private void slot(ChunkColumn c, EventView.Fields owner, int index, boolean inFrame) {
        EventView.Slot slot = owner.slots[index];
        ChunkBytesReader r = c.in;
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
    JsonNode value(ChunkColumn c, ObjectNode parent) {
        ChunkBytesReader r = c.in;
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
                ChunkColumn elements = size == 0 ? null : elements(c);
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

    ObjectNode object(ChunkColumn[] fields, String[] names) {
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
