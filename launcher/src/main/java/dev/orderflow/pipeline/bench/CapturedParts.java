package dev.orderflow.pipeline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The chunk items of a bench's hour, each slot's events cut into parts as the capture's windows cut them: a part closes
 * when {@link TableLayout#partFull} says so for its frames' bytes and the span of its events (about 100 events of the
 * btcusd-like stream at 70 events/s). The query and archive figures read items as many and as large as a capture's.
 */
final class CapturedParts {
    private CapturedParts() {
    }

    /** The items of {@code pair}'s order events, grouped by slot ({@link TableLayout#slotStart}), in order. */
    static List<Map<String, AttributeValue>> items(String pair, TreeMap<Long, List<CapturedEvent>> slots) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        slots.forEach((slot, events) -> {
            int part = 0;
            int from = 0;
            long frameBytes = 0;
            for (int i = 0; i < events.size(); i++) {
                frameBytes += Frames.toJson(events.get(i).frame()).length();
                boolean last = i == events.size() - 1;
                if (last || (TableLayout.partFull(part, frameBytes,
                        events.get(i).microtimestamp() - events.get(from).microtimestamp())
                        && part < TableLayout.MAX_PART)) {
                    items.add(TableLayout.toItem(new Chunk(pair, Channel.ORDERS, slot, part,
                            List.copyOf(events.subList(from, i + 1)))));
                    part++;
                    from = i + 1;
                    frameBytes = 0;
                }
            }
        });
        return items;
    }
}
