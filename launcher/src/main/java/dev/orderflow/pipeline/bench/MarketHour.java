package dev.orderflow.pipeline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.world.Frame;
import dev.orderflow.simulator.world.L3Book;
import dev.orderflow.simulator.world.Market;
import dev.orderflow.simulator.world.PairSpec;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An hour of one pair's {@code live_orders} as the table holds it after a capture, made straight from the simulator's
 * market: every event distinct (its own order ids, amounts and event ids, as an hour of the exchange has), stamped as
 * the simulator's synthetic source stamps them ({@code rate} events per second with ±50 % jitter, whole
 * milliseconds, an action's events on one) and received 1 to 20 ms later; plus an L3 snapshot every
 * {@code snapshotInterval} of the book those events build, and the pair's catalog entry.
 */
final class MarketHour {
    private static final long HOUR_MICROS = Bench.HOUR_MICROS;

    private MarketHour() {
    }

    /** The items, and how many order events they hold. */
    record Items(List<Map<String, AttributeValue>> items, long events) {
    }

    static Items of(String pair, long hourStart, double rate, long snapshotIntervalMicros, long seed) {
        Market market = new Market(PairSpec.of(pair), seed, hourStart);
        L3Book book = new L3Book();
        market.bookData().forEach(data -> book.apply("order_created", data));
        SplittableRandom random = new SplittableRandom(seed);
        TreeMap<Long, List<CapturedEvent>> windows = new TreeMap<>();
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        long hourEnd = hourStart + HOUR_MICROS;
        long nextSnapshot = hourStart;
        double due = hourStart;
        long events = 0;
        while (due < hourEnd) {
            long micros = (long) due / 1000 * 1000;
            do {
                while (nextSnapshot <= micros) {
                    items.addAll(TableLayout.toItems(new SnapshotRecord(pair, nextSnapshot, nextSnapshot, "periodic",
                            book.snapshot(2, nextSnapshot))));
                    nextSnapshot += snapshotIntervalMicros;
                }
                for (Frame frame : market.emitNext(micros)) {
                    if (frame.channel().startsWith("live_orders")) {
                        ObjectNode node = frame.node();
                        book.apply(node.get("event").asText(), node.get("data"));
                        windows.computeIfAbsent(TableLayout.slotStart(micros), w -> new ArrayList<>())
                                .add(new CapturedEvent(micros, micros + random.nextLong(1_000, 20_001), node));
                        events++;
                    }
                }
                due += 1e6 / rate * (0.5 + random.nextDouble());
            } while (market.nextIsContinuation());
        }
        windows.forEach((window, list) -> {
            for (int part = 0; part * TableLayout.MAX_EVENTS_PER_PART < list.size(); part++) {
                items.add(TableLayout.toItem(new Chunk(pair, Channel.ORDERS, window, part,
                        list.subList(part * TableLayout.MAX_EVENTS_PER_PART,
                                Math.min(list.size(), (part + 1) * TableLayout.MAX_EVENTS_PER_PART)))));
            }
        });
        List<CapturedEvent> last = windows.lastEntry().getValue();
        items.add(Map.of(
                TableLayout.PK, AttributeValue.fromS(TableLayout.CATALOG_PK),
                TableLayout.SK, AttributeValue.fromS(pair + "#" + Channel.ORDERS.apiName()),
                TableLayout.CATALOG_FIRST, AttributeValue.fromN(Long.toString(hourStart)),
                TableLayout.CATALOG_LAST, AttributeValue.fromN(Long.toString(last.get(last.size() - 1).microtimestamp())),
                TableLayout.CATALOG_UPDATED, AttributeValue.fromN(Long.toString(System.currentTimeMillis() * 1000))));
        return new Items(items, events);
    }
}
