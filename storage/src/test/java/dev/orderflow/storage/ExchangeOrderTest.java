package dev.orderflow.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExchangeOrderTest {

    private static CapturedEvent order(String id, String pre, long micros, long received) throws IOException {
        return new CapturedEvent(micros, received, Frames.parse("{\"event_id\":\"" + id + "\",\"pre_event_id\":\""
                + pre + "\",\"microtimestamp\":\"" + micros + "\"}"));
    }

    /** A trade as the exchange sends it: its id in {@code data}, as a number and as a string. */
    private static CapturedEvent trade(long id, long micros, long received) throws IOException {
        return new CapturedEvent(micros, received, Frames.parse("{\"event\":\"trade\",\"channel\":"
                + "\"live_trades_btcusd\",\"data\":{\"id\":" + id + ",\"id_str\":\"" + id + "\",\"microtimestamp\":\""
                + micros + "\"}}"));
    }

    private static List<String> ids(List<CapturedEvent> events, String field) {
        return events.stream().map(e -> e.frame().has(field) ? e.frame().get(field).asText()
                : e.frame().path("data").path(field).asText()).toList();
    }

    @Test
    void shouldOrderEventsOfOneMillisecondByTheirChainWhateverHostReceivedThemFirst() throws IOException {
        // e2 and e3 came from another host, whose clock had them before e1
        List<CapturedEvent> events = new ArrayList<>(List.of(order("e1", "e0", 1_000, 50), order("e3", "e2", 1_000, 10),
                order("e2", "e1", 1_000, 20), order("e4", "e3", 2_000, 5)));

        ExchangeOrder.sort(events, Channel.ORDERS);

        assertEquals(List.of("e1", "e2", "e3", "e4"), ids(events, "event_id"));
    }

    @Test
    void shouldOrderTradesOfOneTimestampByTradeId() throws IOException {
        List<CapturedEvent> events = new ArrayList<>(List.of(trade(12, 1_000, 1), trade(11, 1_000, 2),
                trade(9, 500, 3)));

        ExchangeOrder.sort(events, Channel.TRADES);

        assertEquals(List.of("9", "11", "12"), ids(events, "id"));
    }
}
