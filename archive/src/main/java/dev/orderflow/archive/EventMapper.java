package dev.orderflow.archive;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Channel;
import dev.orderflow.storage.EventLayout;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Frames;

/**
 * Fills an {@link EventRow} from a stored event, naming and typing the fields as {@code /v1/events} does: the named
 * fields ({@code type, id, side, price, amount, event_id, pre_event_id}), then the {@code data} fields in wire order,
 * then other top-level fields, as {@link EventLayout} says (the API's rule); ids always strings. The archive test
 * holds the two to each other, field by field. Not for sharing between threads.
 */
final class EventMapper {
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
    private final EventLayout layout;
    /** The row fields of the layout's plan {@link #fieldsOf} was last asked for. */
    private EventLayout.Plan fieldsPlan;
    private EventRow.Field[] dataFields;
    private EventRow.Field[] frameFields;

    EventMapper(Channel channel) {
        this.sideName = new EventView.Name(channel == Channel.ORDERS ? "order_type" : "type");
        this.layout = new EventLayout(channel);
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
        EventLayout.Plan p = layout.plan(frame, data);
        fieldsOf(p);
        if (data != null) {
            for (int i = 0; i < dataFields.length; i++) {
                switch (layout.give(p, data, i, sided)) {
                    case EXACT -> row.string(dataFields[i], data.text(p.stringOf()[i]));
                    case AS_IS -> value(row, dataFields[i], data, i);
                    default -> {
                        // given by a named field, or by its x
                    }
                }
            }
        }
        for (int i = 0; i < frameFields.length; i++) {
            if (frameFields[i] != null) {
                value(row, frameFields[i], frame, i);
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

    /** Where the exact text of a value is ({@link EventLayout#source}). */
    private static int exactAt(EventView.Fields data, EventView.Name exact, EventView.Name plain) {
        return EventLayout.source(data, data.find(exact), data.find(plain));
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

    /** The row fields of a plan's output names, worked out once per plan. */
    private void fieldsOf(EventLayout.Plan p) {
        if (p == fieldsPlan) {
            return;
        }
        dataFields = fields(p.data());
        frameFields = fields(p.frame());
        fieldsPlan = p;
    }

    private static EventRow.Field[] fields(String[] names) {
        EventRow.Field[] fields = new EventRow.Field[names.length];
        for (int i = 0; i < names.length; i++) {
            fields[i] = names[i] == null ? null : EventRow.Field.of(names[i]);
        }
        return fields;
    }
}
