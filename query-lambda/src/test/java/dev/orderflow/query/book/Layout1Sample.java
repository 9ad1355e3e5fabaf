package dev.orderflow.query.book;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The events of {@link Layout1SampleTest}: 40 orders created and 40 trades of {@value #PAIR}, one every half
 * second from {@link #T}. The first 20 of each are stored in {@code layout1/xlmusd.ndjson} as the capture wrote them
 * in layout 1 (one item per second); the test writes the last 20 in layout 2 (one slot of ten seconds).
 */
final class Layout1Sample {
    static final String PAIR = "xlmusd";
    static final long T = OrderBookTest.T;
    static final int EVENTS = 40;
    static final int LAYOUT1_EVENTS = 20;

    private Layout1Sample() {
    }

    static long micros(int i) {
        return T + 1000 + i * 500_000L;
    }

    static List<CapturedEvent> orders(int from, int to) {
        List<CapturedEvent> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ObjectNode f = OrderBookTest.frame("order_created", Integer.toString(100 + i), i % 2, micros(i),
                    i % 2 == 0 ? "99.00" : "102.00", "0.10000000", "0");
            events.add(new CapturedEvent(micros(i), micros(i) + 700, f));
        }
        return events;
    }

    static List<CapturedEvent> trades(int from, int to) {
        List<CapturedEvent> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            long at = micros(i) + 100;
            try {
                events.add(new CapturedEvent(at, at + 700, Frames.parse(("{\"data\":{\"id\":%d,\"timestamp\":\"%d\","
                        + "\"amount\":0.1,\"amount_str\":\"0.10000000\",\"price\":%s,\"price_str\":\"%s\",\"type\":%d,"
                        + "\"microtimestamp\":\"%d\",\"buy_order_id\":1,\"sell_order_id\":2},\"channel\":"
                        + "\"live_trades_xlmusd\",\"event\":\"trade\"}").formatted(500 + i, at / 1_000_000,
                        new BigDecimal("100.5").add(BigDecimal.valueOf(i)).toPlainString(),
                        new BigDecimal("100.50").add(BigDecimal.valueOf(i)).toPlainString(), i % 2, at))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return events;
    }

    /** Items as layout 1 wrote them: one per second of microtimestamp (write version 1). */
    static List<Map<String, AttributeValue>> layout1Items(Channel channel, List<CapturedEvent> events) {
        TreeMap<Long, List<CapturedEvent>> seconds = new TreeMap<>();
        events.forEach(e -> seconds.computeIfAbsent(TableLayout.layout1WindowStart(e.microtimestamp()),
                s -> new ArrayList<>()).add(e));
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        seconds.forEach((start, list) -> items.add(TableLayout.toItem(new Chunk(PAIR, channel, start, 0, list), 1)));
        return items;
    }

    /** Items as layout 2 writes them: one slot, parts cut by the part target. */
    static List<Map<String, AttributeValue>> layout2Items(Channel channel, List<CapturedEvent> events) {
        return List.of(TableLayout.toItem(new Chunk(PAIR, channel, TableLayout.slotStart(events.get(0).microtimestamp()),
                0, events), 1));
    }
}
