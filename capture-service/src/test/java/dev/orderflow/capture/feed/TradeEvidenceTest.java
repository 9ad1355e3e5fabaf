package dev.orderflow.capture.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Frames;

@Timeout(10)
class TradeEvidenceTest {
    private static final long GRACE = TradeEvidence.GRACE_MICROS;
    private final List<String> owed = new ArrayList<>();
    private final TradeEvidence evidence = new TradeEvidence((pair, from, to) -> owed.add(pair + " " + from + "-"
            + to));

    @Test
    void shouldTellAFillByItsAmountTradedHoweverTheExchangeSpellsIt() {
        for (String zero : new String[] {"0", "0.00000", "0.00000000", "0E-8"}) {
            assertFalse(TradeEvidence.isFill(fill(1, "\"" + zero + "\"")), zero);
        }
        for (String traded : new String[] {"0.00137276", "32", "1E-8", "0.5"}) {
            assertTrue(TradeEvidence.isFill(fill(1, "\"" + traded + "\"")), traded);
        }
        assertTrue(TradeEvidence.isFill(fill(1, "0.25")), "a JSON number");
        assertFalse(TradeEvidence.isFill(fill(1, "0")), "a JSON zero");
        assertFalse(TradeEvidence.isFill(fill(1, "null")));
        assertFalse(TradeEvidence.isFill(Frames.MAPPER.createObjectNode()), "no amount_traded: not a fill");
    }

    @Test
    void shouldReportTheFillsNoTradeMatchedOnceTheOrdersMovedOn() {
        evidence.orderEvent("btcusd", fill(1, "\"0.5\""), 100);
        evidence.trade("btcusd", trade(1, 2, "0.5"), 100);
        evidence.hold();
        evidence.orderEvent("btcusd", fill(3, "\"0.5\""), 200); // owed by the old connection
        evidence.orderEvent("btcusd", fill(4, "\"0\""), 250);   // a cancel: no trade owed
        evidence.orderEvent("btcusd", fill(5, "\"0.5\""), 300);
        evidence.trade("btcusd", trade(5, 6, "0.5"), 300);     // the new connection, ahead
        evidence.switchEnded(Set.of("btcusd"));
        evidence.orderEvent("btcusd", fill(7, "\"0\""), 300 + GRACE - 1);
        assertEquals(List.of(), owed, "within the grace: its trade may still come");
        evidence.orderEvent("btcusd", fill(8, "\"0\""), 300 + GRACE);
        assertEquals(List.of("btcusd 200-200"), owed);
        evidence.orderEvent("btcusd", fill(9, "\"0\""), 300 + 3 * GRACE);
        assertEquals(1, owed.size(), "reported once");
    }

    @Test
    void shouldMatchByAmountSoATakersSummedEventBalancesAndALossStillShows() {
        evidence.hold();
        evidence.trade("btcusd", trade(1, 10, "0.5"), 100); // taker 10 fills makers 1 and 2 and rests
        evidence.trade("btcusd", trade(2, 10, "0.5"), 100);
        evidence.orderEvent("btcusd", fill(1, "\"0.5\""), 100);
        evidence.orderEvent("btcusd", fill(2, "\"0.5\""), 100);
        evidence.orderEvent("btcusd", fill(10, "\"1.00000000\""), 100); // the taker's own event, both summed
        evidence.orderEvent("btcusd", fill(10, "\"0.25\""), 200); // later 11 takes from 10: that trade is lost...
        evidence.orderEvent("btcusd", fill(11, "\"0.75\""), 200); // ...and 11 also takes from 12
        evidence.trade("btcusd", trade(12, 11, "0.5"), 200);
        evidence.orderEvent("btcusd", fill(12, "\"0.5\""), 200);
        endSwitchAndCheck();
        assertEquals(List.of("btcusd 200-200"), owed, "orders 10 and 11 are owed 0.25 each");
    }

    @Test
    void shouldCheckNothingForAPairWhoseTradesMet() {
        evidence.hold();
        evidence.orderEvent("btcusd", fill(3, "\"0.5\""), 200);
        evidence.orderEvent("ethusd", fill(3, "\"0.5\""), 200);
        evidence.switchEnded(Set.of("ethusd"));
        evidence.checkAll();
        assertEquals(List.of("ethusd 200-200"), owed);
    }

    @Test
    void shouldMatchAFillThatCameWithinTheGraceOfItsTradeAfterLaterTrades() {
        evidence.trade("btcusd", trade(1, 2, "0.5"), 100);
        evidence.trade("btcusd", trade(5, 6, "0.5"), 300); // settles nothing within the grace of 300
        evidence.orderEvent("btcusd", fill(1, "\"0.5\""), 400); // order 1's fill, stamped after its trade
        evidence.orderEvent("btcusd", fill(5, "\"0.5\""), 300);
        evidence.orderEvent("btcusd", fill(2, "\"0.5\""), 100);
        evidence.orderEvent("btcusd", fill(6, "\"0.5\""), 300);
        evidence.hold();
        endSwitchAndCheck();
        assertEquals(List.of(), owed);
    }

    @Test
    void shouldMatchOrderIdsHoweverSent() {
        evidence.hold();
        evidence.orderEvent("btcusd", parse("{\"data\":{\"id\":2046839978799111,\"amount_traded\":\"0.5\"}}"), 100);
        evidence.trade("btcusd", parse("{\"data\":{\"buy_order_id\":\"2046839978799111\",\"sell_order_id\":7.0,"
                + "\"amount\":0.5}}"), 100);
        evidence.orderEvent("btcusd", parse("{\"data\":{\"id\":\"7\",\"amount_traded\":\"0.50\"}}"), 100);
        endSwitchAndCheck();
        assertEquals(List.of(), owed);
    }

    @Test
    void shouldKeepOwingWhenMoreOrdersWaitThanItKeeps() {
        evidence.hold();
        evidence.orderEvent("btcusd", fill(1, "\"0.5\""), 1);
        for (int i = 2; i <= TradeEvidence.MAX_ORDERS * 3; i++) {
            evidence.orderEvent("btcusd", fill(1000 + i, "\"0.5\""), i);
            evidence.trade("btcusd", trade(1000 + i, 5000 + i, "0.5"), i);
            evidence.orderEvent("btcusd", fill(5000 + i, "\"0.5\""), i);
        }
        endSwitchAndCheck();
        assertEquals(List.of("btcusd 1-1"), owed, "the owed order outlived the ones that balanced");
    }

    @Test
    void shouldKeepTheWindowOfOwedOrdersDroppedPastTheBound() {
        evidence.hold();
        for (int i = 1; i <= TradeEvidence.MAX_ORDERS * 3; i++) {
            evidence.orderEvent("btcusd", fill(1000 + i, "\"0.5\""), i);
        }
        endSwitchAndCheck();
        assertEquals(List.of("btcusd 1-" + TradeEvidence.MAX_ORDERS * 3), owed);
    }

    /** The switch ends with btcusd's trades unmet, and its owed trades are checked at once. */
    private void endSwitchAndCheck() {
        evidence.switchEnded(Set.of("btcusd"));
        evidence.checkAll();
    }

    private static ObjectNode trade(long buy, long sell, String amount) {
        return parse("{\"data\":{\"buy_order_id\":" + buy + ",\"sell_order_id\":\"" + sell + "\",\"amount_str\":\""
                + amount + "\"}}");
    }

    private static ObjectNode fill(long order, String amountTraded) {
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
