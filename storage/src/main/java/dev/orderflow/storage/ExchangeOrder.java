package dev.orderflow.storage;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The exchange's order of a window's events, whoever received them: by exchange time, and within one timestamp
 * (order events are stamped in whole milliseconds, many to a millisecond) by the exchange's own sequence: the
 * {@code pre_event_id → event_id} chain for {@code live_orders}, the trade {@code id} for {@code live_trades}. Receive
 * times differ between connections and hosts, so they only break ties the exchange leaves open.
 */
public final class ExchangeOrder {
    private ExchangeOrder() {
    }

    /** Sorts {@code events} (a mutable list) into exchange order. */
    public static void sort(List<CapturedEvent> events, Channel channel) {
        events.sort(Comparator.comparingLong(CapturedEvent::microtimestamp)
                .thenComparingLong(CapturedEvent::receivedMicros));
        for (int from = 0; from < events.size(); ) {
            int to = from + 1;
            while (to < events.size() && events.get(to).microtimestamp() == events.get(from).microtimestamp()) {
                to++;
            }
            if (to - from > 1) {
                List<CapturedEvent> run = events.subList(from, to);
                List<CapturedEvent> ordered = channel == Channel.ORDERS ? byChain(run) : byTradeId(run);
                for (int i = 0; i < ordered.size(); i++) {
                    run.set(i, ordered.get(i));
                }
            }
            from = to;
        }
    }

    /** Chains within the run, each from its first event (one whose predecessor is not in the run), in run order. */
    private static List<CapturedEvent> byChain(List<CapturedEvent> run) {
        Map<String, CapturedEvent> byPre = new HashMap<>();
        Set<String> ids = new HashSet<>();
        for (CapturedEvent e : run) {
            String id = text(e.frame(), "event_id");
            String pre = text(e.frame(), "pre_event_id");
            if (id != null) {
                ids.add(id);
            }
            if (pre != null) {
                byPre.putIfAbsent(pre, e);
            }
        }
        Set<CapturedEvent> out = new LinkedHashSet<>();
        for (CapturedEvent e : run) {
            String pre = text(e.frame(), "pre_event_id");
            if (pre != null && ids.contains(pre)) {
                continue; // not the start of a chain within the run
            }
            for (CapturedEvent next = e; next != null && out.add(next); ) {
                String id = text(next.frame(), "event_id");
                next = id == null ? null : byPre.get(id);
            }
        }
        out.addAll(run); // what no chain reached (a cycle, a repeated id): as it was
        return new ArrayList<>(out);
    }

    private static List<CapturedEvent> byTradeId(List<CapturedEvent> run) {
        List<CapturedEvent> sorted = new ArrayList<>(run);
        sorted.sort((a, b) -> {
            BigInteger x = number(a.frame());
            BigInteger y = number(b.frame());
            if (x == null || y == null) {
                return x == null ? (y == null ? 0 : 1) : -1; // an event without a number id after the rest
            }
            return x.compareTo(y);
        });
        return sorted;
    }

    /** The trade id of a {@code live_trades} frame: {@code data.id_str}, else {@code data.id}. */
    private static BigInteger number(JsonNode frame) {
        JsonNode data = frame == null ? null : frame.get("data");
        String id = text(data, "id_str");
        if (id == null) {
            id = text(data, "id");
        }
        try {
            return id == null ? null : new BigInteger(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String text(JsonNode frame, String field) {
        JsonNode value = frame == null ? null : frame.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
