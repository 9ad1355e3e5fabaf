package dev.orderflow.query.book;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.book.OrderBook;
import dev.orderflow.storage.book.OrderBook.Order;
import dev.orderflow.storage.Side;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.ChunkCodec;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Frames;

/** The rebuild on hand-made events, one kind of exchange behaviour at a time. */
@org.junit.jupiter.api.Timeout(600)
class OrderBookTest {
    static final long T = 1_924_941_600_000_000L;

    /** A live_orders frame as the exchange sends it (numbers twice, strings exact). */
    /** Applies {@code frame} at {@code micros} as the book reads stored events: as a view of a chunk. */
    private static void apply(OrderBook book, ObjectNode frame, long micros, boolean overlap) {
        EventView.Events events = ChunkCodec.view(ChunkCodec.encode(List.of(new CapturedEvent(micros, micros, frame))));
        events.next();
        book.apply(events.event(), overlap);
    }

    static ObjectNode frame(String event, String id, int side, long micros, String price, String amount,
            String traded) {
        try {
            return Frames.parse(("{\"data\":{\"id\":%s,\"id_str\":\"%s\",\"order_type\":%d,\"order_subtype\":5,"
                    + "\"datetime\":\"%d\",\"microtimestamp\":\"%d\",\"amount\":%s,\"amount_str\":\"%s\","
                    + "\"amount_traded\":\"%s\",\"price\":%s,\"price_str\":\"%s\"},\"channel\":\"live_orders_btcusd\","
                    + "\"event\":\"%s\",\"event_id\":\"e-%d\",\"pre_event_id\":\"e-%d\"}")
                    .formatted(id, id, side, micros / 1_000_000, micros, new BigDecimal(amount).toPlainString(),
                            amount, traded, new BigDecimal(price).toPlainString(), price, event, micros,
                            micros - 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode snapshot(long micros) {
        try {
            return Frames.parse(("{\"timestamp\":\"%d\",\"microtimestamp\":\"%d\","
                    + "\"bids\":[[\"100.00\",\"1.00000000\",\"1\"],[\"99.50\",\"2.00000000\",\"2\"]],"
                    + "\"asks\":[[\"101.00\",\"0.50000000\",\"3\"],[\"101.00\",\"0.70000000\",\"4\"]]}")
                    .formatted(micros / 1_000_000, micros));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** (id, price, amount, micros) of every order of a side, best level first, queue order inside a level. */
    static List<String> rows(OrderBook book, Side side) {
        List<String> rows = new ArrayList<>();
        for (LinkedHashMap<String, Order> level : book.side(side).values()) {
            for (Order o : level.values()) {
                rows.add(o.id() + " " + o.price() + " " + o.amount() + " " + o.micros());
            }
        }
        return rows;
    }

    @Test
    void shouldApplyCreatesFillsMarketOrdersCancelsAndUnknownIdsAsTheExchangeBehaves() {
        OrderBook book = OrderBook.fromSnapshot(snapshot(T));
        long t = T + 1000;
        apply(book, frame("order_created", "10", 0, t, "100.00", "0.30000000", "0"), t, false);
        apply(book, frame("order_created", "11", 1, t + 1, "102.00", "0.40000000", "0"), t + 1, false);
        // partial fill of a snapshot order: amount is what remains, the order keeps its queue place
        apply(book, frame("order_changed", "3", 1, t + 2, "101.00", "0.20000000", "0.30000000"), t + 2, false);
        // a fill that empties an order arrives as order_deleted with amount_traded > 0
        apply(book, frame("order_deleted", "4", 1, t + 3, "101.00", "0", "0.70000000"), t + 3, false);
        // a market buy: order_created at 999999999 with amount 0, then its delete at the real price
        apply(book, frame("order_created", "12", 0, t + 4, "999999999.00", "0", "0"), t + 4, false);
        apply(book, frame("order_deleted", "12", 0, t + 4, "101.00", "0", "0.70000000"), t + 4, false);
        // a cancel
        apply(book, frame("order_deleted", "2", 0, t + 5, "99.50", "2.00000000", "0"), t + 5, false);
        // events for orders never seen
        apply(book, frame("order_deleted", "999", 1, t + 6, "105.00", "1.00000000", "0"), t + 6, false);
        apply(book, frame("order_changed", "998", 0, t + 7, "98.00", "1.50000000", "0.50000000"), t + 7, false);
        // a market sell: price 0, amount 0
        apply(book, frame("order_created", "13", 1, t + 8, "0.00", "0", "0"), t + 8, false);

        assertEquals(List.of("1 100.00 1.00000000 -1", "10 100.00 0.30000000 " + t,
                "998 98.00 1.50000000 " + (t + 7)), rows(book, Side.BUY));
        assertEquals(List.of("3 101.00 0.20000000 " + (t + 2), "11 102.00 0.40000000 " + (t + 1)),
                rows(book, Side.SELL));
        OrderBook.Counts counts = book.counts();
        assertEquals(4, counts.snapshotOrders);
        assertEquals(10, counts.eventsApplied);
        assertEquals(2, counts.marketOrders);
        assertEquals(1, counts.unknownOrderDeletes);
        assertEquals(1, counts.unknownOrderChanges);
        assertEquals(0, counts.malformedEvents);
    }

    @Test
    void shouldConvergeWhenEventsSharingTheSnapshotsMicrotimestampAreAppliedAgain() {
        // The snapshot at T already shows: order 3 changed to 0.20 and order 5 created then deleted, all at T.
        OrderBook book = OrderBook.fromSnapshot(snapshot(T));
        apply(book, frame("order_created", "5", 0, T, "99.00", "1.00000000", "0"), T, true);
        apply(book, frame("order_changed", "3", 1, T, "101.00", "0.20000000", "0.30000000"), T, true);
        apply(book, frame("order_deleted", "5", 0, T, "99.00", "1.00000000", "0"), T, true);
        apply(book, frame("order_deleted", "7", 0, T, "99.00", "1.00000000", "0"), T, true);

        assertEquals(List.of("1 100.00 1.00000000 -1", "2 99.50 2.00000000 -1"), rows(book, Side.BUY));
        assertEquals(List.of("3 101.00 0.20000000 " + T, "4 101.00 0.70000000 -1"), rows(book, Side.SELL));
        assertEquals(4, book.counts().snapshotOverlapEvents);
        assertEquals(0, book.counts().unknownOrderDeletes, "an unknown id at the snapshot's time is expected");
    }

    @Test
    void shouldMoveAnOrderToTheBackOfItsNewLevelWhenItsPriceChanges() {
        OrderBook book = OrderBook.fromSnapshot(snapshot(T));
        apply(book, frame("order_changed", "1", 0, T + 1, "99.50", "1.00000000", "0"), T + 1, false);
        assertEquals(List.of("2 99.50 2.00000000 -1", "1 99.50 1.00000000 " + (T + 1)), rows(book, Side.BUY));
    }

    @Test
    void shouldCountAndSkipMalformedEvents() {
        OrderBook book = OrderBook.fromSnapshot(snapshot(T));
        ObjectNode noPrice = frame("order_created", "20", 0, T + 1, "100.00", "1", "0");
        ((ObjectNode) noPrice.get("data")).remove(List.of("price", "price_str"));
        apply(book, noPrice, T + 1, false);
        assertEquals(1, book.counts().malformedEvents);
        assertEquals(0, book.counts().eventsApplied);
        assertEquals(4, book.size());
    }
}
