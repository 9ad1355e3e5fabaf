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
import dev.orderflow.storage.SnapshotItems;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An hour of one pair's {@code live_orders} as the table holds it after a capture, made straight from the simulator's
 * market: every event distinct (its own order ids, amounts and event ids, as an hour of the exchange has), stamped as
 * the simulator's synthetic source stamps them ({@code rate} events per second with ±50 % jitter, whole
 * milliseconds, an action's events on one) and received 1 to 20 ms later, in parts cut as the capture cuts them
 * ({@link CapturedParts}); plus an L3 snapshot every {@code snapshotInterval} of the book those events build,
 * and the pair's catalog entry.
 */
final class MarketHour {
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
        TreeMap<Long, List<CapturedEvent>> slots = new TreeMap<>();
        List<Map<String, AttributeValue>> snapshots = new ArrayList<>();
        long hourEnd = hourStart + Bench.HOUR_MICROS;
        long nextSnapshot = hourStart;
        double due = hourStart;
        long events = 0;
        long last = hourStart;
        while (due < hourEnd) {
            long micros = (long) due / 1000 * 1000;
            do {
                while (nextSnapshot <= micros) {
                    snapshots.addAll(SnapshotItems.toItems(new SnapshotRecord(pair, nextSnapshot, nextSnapshot,
                            "periodic", book.snapshot(2, nextSnapshot))));
                    nextSnapshot += snapshotIntervalMicros;
                }
                for (Frame frame : market.emitNext(micros)) {
                    if (frame.channel().startsWith("live_orders")) {
                        ObjectNode node = frame.node();
                        book.apply(node.get("event").asText(), node.get("data"));
                        slots.computeIfAbsent(TableLayout.slotStart(micros), s -> new ArrayList<>())
                                .add(new CapturedEvent(micros, micros + random.nextLong(1_000, 20_001), node));
                        events++;
                        last = micros;
                    }
                }
                due += 1e6 / rate * (0.5 + random.nextDouble());
            } while (market.nextIsContinuation());
        }
        List<Map<String, AttributeValue>> items = CapturedParts.items(pair, slots);
        items.addAll(snapshots);
        items.add(Tables.ordersCatalogItem(pair, hourStart, last));
        return new Items(items, events);
    }
}
