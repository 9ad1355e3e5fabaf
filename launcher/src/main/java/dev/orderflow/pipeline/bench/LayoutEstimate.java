package dev.orderflow.pipeline.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.orderflow.simulator.replay.Recording;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Channel;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.TableLayout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Without a capture or a table: the chunk items a recording's events make in layout 1 (one window per second) and in
 * layout 2 (slots of {@link TableLayout#SLOT_MICROS}, parts closed at {@link TableLayout#partTargetBytes} of frames,
 * as the capture's window step cuts them), encoded by the storage module, with DynamoDB's write units for each
 * item's size (one per started KB) and no merges, snapshots or catalog. Run:
 * {@code java -cp 'launcher/target/pipeline-1.0.0-SNAPSHOT.jar:launcher/target/lib/*'
 * dev.orderflow.pipeline.bench.LayoutEstimate FILE}.
 */
public final class LayoutEstimate {
    private LayoutEstimate() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, List<Recording.Item>> byChannel = new TreeMap<>();
        for (Recording.Item item : Recording.load(Path.of(args[0])).items()) {
            if (item.channel() != null && Channel.parseWire(item.channel()).isPresent()) {
                byChannel.computeIfAbsent(item.channel(), c -> new ArrayList<>()).add(item);
            }
        }
        for (int layout = 1; layout <= 2; layout++) {
            long events = 0;
            long units = 0;
            long bytes = 0;
            long items = 0;
            for (Map.Entry<String, List<Recording.Item>> channel : byChannel.entrySet()) {
                Channel.WireChannel wire = Channel.parseWire(channel.getKey()).orElseThrow();
                for (Chunk chunk : chunks(wire, channel.getValue(), layout == 2)) {
                    long size = ItemSize.of(TableLayout.toItem(chunk, 1));
                    events += chunk.events().size();
                    bytes += size;
                    units += ItemSize.writeUnits(size);
                    items++;
                }
            }
            System.out.printf(Locale.ROOT, "layout %d: %d events, %d items, %.1f WCU per 1000 events, %.1f bytes per "
                    + "event%n", layout, events, items, units * 1000.0 / events, (double) bytes / events);
        }
    }

    private static List<Chunk> chunks(Channel.WireChannel wire, List<Recording.Item> items, boolean layout2)
            throws java.io.IOException {
        List<Chunk> chunks = new ArrayList<>();
        List<CapturedEvent> part = new ArrayList<>();
        long window = Long.MIN_VALUE;
        int number = 0;
        long frameBytes = 0;
        for (Recording.Item item : items) {
            long start = layout2 ? TableLayout.slotStart(item.micros()) : TableLayout.layout1WindowStart(item.micros());
            if (start != window && !part.isEmpty()) {
                chunks.add(new Chunk(wire.pair(), wire.channel(), window, number, part));
                part = new ArrayList<>();
                frameBytes = 0;
            }
            if (start != window) {
                number = 0;
            }
            window = start;
            part.add(new CapturedEvent(item.micros(), item.micros(), Frames.parse(item.text())));
            frameBytes += item.text().getBytes(StandardCharsets.UTF_8).length;
            if (layout2 && frameBytes >= TableLayout.partTargetBytes(number)) {
                chunks.add(new Chunk(wire.pair(), wire.channel(), window, number++, part));
                part = new ArrayList<>();
                frameBytes = 0;
            }
        }
        if (!part.isEmpty()) {
            chunks.add(new Chunk(wire.pair(), wire.channel(), window, number, part));
        }
        return chunks;
    }
}
