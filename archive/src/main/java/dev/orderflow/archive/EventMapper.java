package dev.orderflow.archive;

import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Channel;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Frames;

/**
 * Fills an {@link EventRow} from a stored event, naming and typing the fields as {@code /v1/events} does: the named
 * fields ({@code type, id, side, price, amount, event_id, pre_event_id}), then the {@code data} fields in wire order,
 * then other top-level fields; {@code x} with the exact string of {@code x_str}; ids always strings; a field whose
 * name the named ones already use gets the prefix {@code data_} or {@code frame_}. The archive test holds the two to
 * each other, field by field. Not for sharing between threads.
 */
final class EventMapper {
    private static final Set<String> OWN = Set.of("pair", "channel", "type", "microtimestamp", "time", "id", "side",
            "price", "amount", "event_id", "pre_event_id", "received_microtimestamp");
    private static final Set<String> TOP_LEVEL_DONE = Set.of("data", "event", "channel", "event_id", "pre_event_id");
    private static final Set<String> DATA_DONE = Set.of("id", "id_str", "price", "price_str", "amount", "amount_str",
            "microtimestamp");

    private final EventView.Name eventName = new EventView.Name("event");
    private final EventView.Name eventIdName = new EventView.Name("event_id");
    private final EventView.Name preEventIdName = new EventView.Name("pre_event_id");
    private final EventView.Name idName = new EventView.Name("id");
    private final EventView.Name idStrName = new EventView.Name("id_str");
    private final EventView.Name priceName = new EventView.Name("price");
    private final EventView.Name priceStrName = new EventView.Name("price_str");
    private final EventView.Name amountName = new EventView.Name("amount");
    private final EventView.Name amountStrName = new EventView.Name("amount_str");
    private final EventView.Name sideName;
    private Object planFrame;
    private Object planData;
    private Plan plan;

    EventMapper(Channel channel) {
        this.sideName = new EventView.Name(channel == Channel.ORDERS ? "order_type" : "type");
    }

    void fill(EventView event, EventRow row) {
        EventView.Fields frame = event.frame();
        EventView.Fields data = event.data();
        row.start(event.microtimestamp(), event.receivedMicros());
        row.set(EventRow.TYPE, frame.text(eventName));
        boolean sided = false;
        if (data != null) {
            row.set(EventRow.ID, exact(data, idStrName, idName, row.memo(EventRow.ID)));
            String side = side(data.text(sideName));
            sided = side != null;
            row.set(EventRow.SIDE, side);
            decimal(row, EventRow.PRICE, EventRow.PRICE_TEXT, data, priceStrName, priceName);
            decimal(row, EventRow.AMOUNT, EventRow.AMOUNT_TEXT, data, amountStrName, amountName);
        }
        // one memo for both: an event's pre_event_id is, unless the chain broke, the event before's event_id
        EventView.TextMemo eventIds = row.memo(EventRow.EVENT_ID);
        row.set(EventRow.PRE_EVENT_ID, frame.textBytes(preEventIdName, eventIds));
        row.set(EventRow.EVENT_ID, frame.textBytes(eventIdName, eventIds));
        Plan p = plan(frame, data);
        if (data != null) {
            for (int i = 0; i < p.data.length; i++) {
                int base = p.numberOf[i];
                if (p.data[i] == null || (i == p.sideField && sided)
                        || (base >= 0 && data.kind(base) == EventView.Kind.NUMBER)) {
                    continue;
                }
                int exact = p.exactText[i];
                if (exact >= 0 && data.kind(i) == EventView.Kind.NUMBER && data.kind(exact) == EventView.Kind.STRING) {
                    row.string(p.data[i], data.text(exact));
                } else {
                    value(row, p.data[i], data, i);
                }
            }
        }
        for (int i = 0; i < p.frame.length; i++) {
            if (p.frame[i] != null) {
                value(row, p.frame[i], frame, i);
            }
        }
        row.finish();
    }

    private static String side(String code) {
        if ("0".equals(code)) {
            return "buy";
        }
        return "1".equals(code) ? "sell" : null;
    }

    /** Where the exact text of a value is: {@code x_str} when it has text, else {@code x}; -1 when neither has. */
    private static int exactAt(EventView.Fields data, EventView.Name exact, EventView.Name plain) {
        int at = data.find(exact);
        if (hasText(data, at)) {
            return at;
        }
        at = data.find(plain);
        return hasText(data, at) ? at : -1;
    }

    /** Whether a field is there and has a text (a string, number or boolean: not null, an object or an array). */
    private static boolean hasText(EventView.Fields data, int at) {
        if (at < 0) {
            return false;
        }
        EventView.Kind kind = data.kind(at);
        return kind == EventView.Kind.STRING || kind == EventView.Kind.NUMBER || kind == EventView.Kind.BOOLEAN;
    }

    private static byte[] exact(EventView.Fields data, EventView.Name exact, EventView.Name plain,
                                EventView.TextMemo memo) {
        int at = exactAt(data, exact, plain);
        return at < 0 ? null : data.textBytes(at, memo);
    }

    /** The exact string of {@code x_str}, else of {@code x}, as a decimal column and its text, if either is there. */
    private static void decimal(EventRow row, int column, int textColumn, EventView.Fields data, EventView.Name exact,
                                EventView.Name plain) {
        int at = exactAt(data, exact, plain);
        if (at >= 0) {
            row.decimal(column, textColumn, data.textBytes(at, row.memo(textColumn)), data.plainUnscaled(at),
                    data.plainScale(at));
        }
    }

    private static void value(EventRow row, EventRow.Field field, EventView.Fields fields, int i) {
        switch (fields.kind(i)) {
            case STRING -> row.string(field, fields, i);
            case NUMBER -> {
                if (fields.isWholeNumber(i) && !field.id()) {
                    if (fields.fitsLong(i)) {
                        row.number(field, fields.longValue(i));
                    } else {
                        row.numberText(field, fields.text(i));
                    }
                } else {
                    row.string(field, fields.text(i));
                }
            }
            case BOOLEAN -> row.bool(field, fields.booleanValue(i));
            case NULL -> row.nul(field);
            case OBJECT -> row.tree(field, tree(fields.object(i)));
            default -> row.tree(field, fields.tree(i));
        }
    }

    private static ObjectNode tree(EventView.Fields fields) {
        ObjectNode node = Frames.MAPPER.createObjectNode();
        for (int i = 0; i < fields.size(); i++) {
            node.set(fields.name(i), fields.kind(i) == EventView.Kind.OBJECT ? tree(fields.object(i)) : fields.tree(i));
        }
        return node;
    }

    /** What each field of a frame shape becomes (see the class comment); worked out once per shape. */
    private record Plan(EventRow.Field[] frame, EventRow.Field[] data, int[] numberOf, int[] exactText,
                        int sideField) {
    }

    private Plan plan(EventView.Fields frame, EventView.Fields data) {
        Object frameShape = frame.shape();
        Object dataShape = data == null ? null : data.shape();
        if (plan != null && frameShape == planFrame && dataShape == planData) {
            return plan;
        }
        int size = data == null ? 0 : data.size();
        EventRow.Field[] dataOut = new EventRow.Field[size];
        int[] numberOf = new int[size];
        int[] exactText = new int[size];
        int sideField = -1;
        Set<String> inData = new HashSet<>();
        for (int i = 0; i < size; i++) {
            String name = data.name(i);
            inData.add(name);
            numberOf[i] = name.endsWith("_str") ? data.find(name.substring(0, name.length() - 4)) : -1;
            exactText[i] = data.find(name + "_str");
            if (name.equals(sideName.toString())) {
                sideField = i;
            }
            dataOut[i] = DATA_DONE.contains(name) ? null
                    : EventRow.Field.of(OWN.contains(name) ? "data_" + name : name);
        }
        EventRow.Field[] frameOut = new EventRow.Field[frame.size()];
        for (int i = 0; i < frameOut.length; i++) {
            String name = frame.name(i);
            boolean taken = OWN.contains(name) || inData.contains(name);
            frameOut[i] = TOP_LEVEL_DONE.contains(name) ? null : EventRow.Field.of(taken ? "frame_" + name : name);
        }
        planFrame = frameShape;
        planData = dataShape;
        plan = new Plan(frameOut, dataOut, numberOf, exactText, sideField);
        return plan;
    }
}
