package dev.orderflow.capture.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Frames;

@Timeout(10)
class TradeEvidenceTest {
    private final TradeEvidence evidence = new TradeEvidence();

    @Test
    void shouldTellAFillByItsAmountTradedHoweverTheExchangeSpellsIt() {
        for (String zero : new String[] {"0", "0.00000", "0.00000000", "0E-8"}) {
            assertFalse(TradeEvidence.isFill(frame("\"" + zero + "\"")), zero);
        }
        for (String traded : new String[] {"0.00137276", "32", "1E-8", "0.5"}) {
            assertTrue(TradeEvidence.isFill(frame("\"" + traded + "\"")), traded);
        }
        assertTrue(TradeEvidence.isFill(frame("0.25")), "a JSON number");
        assertFalse(TradeEvidence.isFill(frame("0")), "a JSON zero");
        assertFalse(TradeEvidence.isFill(frame("null")));
        assertFalse(TradeEvidence.isFill(Frames.MAPPER.createObjectNode()), "no amount_traded: not a fill");
    }

    @Test
    void shouldOweTheFillsNoTradeNamingTheirOrderMatched() {
        evidence.orderEvent("btcusd", fill(1), 100);
        evidence.trade("btcusd", trade(1, 2), 100);
        assertNull(evidence.owed("btcusd"), "the fill had its trade");
        evidence.orderEvent("btcusd", fill(3), 200);
        evidence.orderEvent("btcusd", frame(4, "\"0\""), 250); // a cancel: no trade owed
        evidence.orderEvent("btcusd", fill(5), 300);
        assertEquals(new TradeEvidence.Owed(200, 300), evidence.owed("btcusd"));
        evidence.trade("btcusd", trade(3, 6), 200);
        assertEquals(new TradeEvidence.Owed(300, 300), evidence.owed("btcusd"));
        evidence.trade("btcusd", trade(7, 8), 400); // its fills come after it
        assertNull(evidence.owed("btcusd"), "a later trade settles the orders before it");
        evidence.orderEvent("btcusd", fill(7), 400);
        evidence.orderEvent("btcusd", fill(8), 400);
        assertNull(evidence.owed("btcusd"));
        evidence.orderEvent("btcusd", fill(9), 50); // older than the last trade: settled
        assertNull(evidence.owed("btcusd"));
        assertNull(evidence.owed("ethusd"), "a pair never seen owes nothing");
    }

    @Test
    void shouldMatchByOrderSoATakersSummedEventOwesNothing() {
        evidence.trade("btcusd", trade(1, 10), 100); // a taker (10) fills orders 1 and 2 at one stamp
        evidence.trade("btcusd", trade(2, 10), 100);
        evidence.orderEvent("btcusd", fill(1), 100);
        evidence.orderEvent("btcusd", fill(2), 100);
        evidence.orderEvent("btcusd", fill(10), 100); // the taker's own event, both trades summed
        assertNull(evidence.owed("btcusd"));
        evidence.orderEvent("btcusd", fill(3), 100); // a third maker, whose trade did not come
        assertEquals(new TradeEvidence.Owed(100, 100), evidence.owed("btcusd"));
    }

    @Test
    void shouldSettleNothingWhileHeldSinceTheTwoConnectionsTradesInterleave() {
        evidence.trade("btcusd", trade(1, 2), 100);
        evidence.orderEvent("btcusd", fill(3), 150); // owed by the old connection, which lags
        evidence.hold();
        evidence.orderEvent("btcusd", fill(5), 200);
        evidence.trade("btcusd", trade(5, 6), 200); // the new connection, ahead: it does not settle order 3
        assertEquals(new TradeEvidence.Owed(150, 150), evidence.owed("btcusd"));
        evidence.trade("btcusd", trade(3, 4), 150); // the old one pays it
        assertNull(evidence.owed("btcusd"));
        evidence.orderEvent("btcusd", fill(7), 180);
        evidence.release();
        assertNull(evidence.owed("btcusd"), "released: settled up to the last trade, 200");
    }

    @Test
    void shouldKeepOwingWhenMoreOrdersWaitThanItKeeps() {
        evidence.trade("btcusd", trade(1, 2), 0);
        for (int i = 1; i <= TradeEvidence.MAX_ORDERS * 3; i++) {
            evidence.orderEvent("btcusd", fill(1000 + i), i);
        }
        assertEquals(new TradeEvidence.Owed(1, TradeEvidence.MAX_ORDERS * 3), evidence.owed("btcusd"));
    }

    private static ObjectNode trade(long buy, long sell) {
        return parse("{\"data\":{\"buy_order_id\":" + buy + ",\"sell_order_id\":\"" + sell + "\"}}");
    }

    private static ObjectNode fill(long order) {
        return frame(order, "\"0.50000000\"");
    }

    private static ObjectNode frame(String amountTraded) {
        return frame(1, amountTraded);
    }

    private static ObjectNode frame(long order, String amountTraded) {
        return parse("{\"data\":{\"id\":" + order + ",\"amount_traded\":" + amountTraded + "}}");
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) Frames.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
