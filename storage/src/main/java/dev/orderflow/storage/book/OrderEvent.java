package dev.orderflow.storage.book;

import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Side;

/**
 * The fields of one stored {@code live_orders} event that a book needs, copied out of its (reused) view: the event
 * name, the order's id, side, price and amount as the exchange's exact strings, its microtimestamp and
 * {@code event_id}. Any of them may be {@code null} when the exchange left it out.
 */
public record OrderEvent(String type, String id, Side side, String price, String amount, long micros,
        String eventId) {

    /** Reads events from chunk views, remembering where each field was in the last shape seen. Not thread-safe. */
    public static final class Reader {
        private final EventView.Name event = new EventView.Name("event");
        private final EventView.Name eventIdName = new EventView.Name("event_id");
        private final EventView.Name idName = new EventView.Name("id");
        private final EventView.Name idStr = new EventView.Name("id_str");
        private final EventView.Name priceName = new EventView.Name("price");
        private final EventView.Name priceStr = new EventView.Name("price_str");
        private final EventView.Name amountName = new EventView.Name("amount");
        private final EventView.Name amountStr = new EventView.Name("amount_str");
        private final EventView.Name orderType = new EventView.Name("order_type");

        public OrderEvent read(EventView view) {
            String type = view.frame().text(event);
            String eventId = view.frame().text(eventIdName);
            EventView.Fields data = view.data();
            if (data == null) {
                return new OrderEvent(type, null, null, null, null, view.microtimestamp(), eventId);
            }
            return new OrderEvent(type, exact(data, idStr, idName), Side.fromWire(data.text(orderType)),
                    exact(data, priceStr, priceName), exact(data, amountStr, amountName), view.microtimestamp(),
                    eventId);
        }

        private static String exact(EventView.Fields data, EventView.Name exact, EventView.Name plain) {
            String text = data.text(exact);
            return text != null ? text : data.text(plain);
        }
    }
}
