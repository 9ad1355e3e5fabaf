package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.ExchangeOrder;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.QuietItems;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Quiet windows written as sections of their group's shared item for the slot ({@link QuietItems}): put if absent;
 * otherwise (a restart, another host, a window sealed late) read, add what the item lacks, and put on condition that
 * it did not change meanwhile, until it holds. A host that reads first starts with the read.
 */
final class SharedSections {
    private final TableClient table;
    private final String host;
    private final Counter itemsWritten;
    private final Counter storedBytes;
    private final Counter merges;

    SharedSections(TableClient table, String host, Counter itemsWritten, Counter storedBytes, Counter merges) {
        this.table = table;
        this.host = host;
        this.itemsWritten = itemsWritten;
        this.storedBytes = storedBytes;
        this.merges = merges;
    }

    /** One channel's window of the job: the events this write stored first, and all of its events (now stored). */
    record Written(Job.Window window, List<CapturedEvent> added, List<CapturedEvent> all) {
    }

    List<Written> write(Job.Quiet q, boolean readFirst) {
        Map<String, List<Held>> held = new TreeMap<>();
        Map<String, Job.Window> windowOf = new HashMap<>();
        for (Job.Window w : q.windows()) {
            String key = TableLayout.chunkPk(w.pair(), w.channel());
            held.computeIfAbsent(key, k -> new ArrayList<>()).addAll(w.events());
            windowOf.putIfAbsent(key, w);
        }
        Map<String, List<CapturedEvent>> ours = new TreeMap<>();
        held.forEach((key, events) -> ours.put(key, ChunkParts.parse(Held.distinct(events))));
        ours.forEach((key, events) -> ExchangeOrder.sort(events, windowOf.get(key).channel()));
        if (!readFirst) {
            Map<String, AttributeValue> sections = new HashMap<>();
            ours.forEach((key, events) -> sections.put(key, QuietItems.section(events)));
            if (put(QuietItems.item(q.group(), q.slotStartMicros(), sections, Set.of(host), 1),
                    TableClient.Expect.ABSENT, 0)) {
                return written(ours, windowOf, ours);
            }
        }
        String pk = QuietItems.pk(q.group());
        String sk = QuietItems.sk(q.slotStartMicros());
        while (true) {
            Optional<Map<String, AttributeValue>> stored = table.item(pk, sk);
            Map<String, AttributeValue> sections = new HashMap<>(stored.map(QuietItems::sections).orElse(Map.of()));
            Map<String, List<CapturedEvent>> added = new HashMap<>();
            ours.forEach((key, events) -> {
                AttributeValue section = sections.get(key);
                List<CapturedEvent> union = section == null ? new ArrayList<>() : QuietItems.events(section);
                Set<JsonNode> there = new HashSet<>();
                union.forEach(e -> there.add(e.frame()));
                List<CapturedEvent> missing = events.stream().filter(e -> !there.contains(e.frame())).toList();
                if (!missing.isEmpty()) {
                    union.addAll(missing);
                    ExchangeOrder.sort(union, windowOf.get(key).channel());
                    sections.put(key, QuietItems.section(union));
                    added.put(key, missing);
                }
            });
            if (added.isEmpty()) {
                return written(Map.of(), windowOf, ours); // the table holds every event already
            }
            Set<String> hosts = new TreeSet<>(stored.map(Hosts::chunkHosts).orElse(Set.of()));
            hosts.add(host);
            long version = stored.map(i -> i.get(TableLayout.WRITE_VERSION)).map(v -> Long.parseLong(v.n()))
                    .orElse(0L);
            if (put(QuietItems.item(q.group(), q.slotStartMicros(), sections, hosts, version + 1),
                    stored.isPresent() ? TableClient.Expect.VERSION : TableClient.Expect.ABSENT, version)) {
                if (stored.isPresent()) {
                    merges.increment();
                }
                return written(added, windowOf, ours);
            }
        }
    }

    private static List<Written> written(Map<String, List<CapturedEvent>> added, Map<String, Job.Window> windowOf,
            Map<String, List<CapturedEvent>> ours) {
        List<Written> out = new ArrayList<>();
        ours.forEach((key, all) -> out.add(new Written(windowOf.get(key), added.getOrDefault(key, List.of()), all)));
        return out;
    }

    private boolean put(Map<String, AttributeValue> item, TableClient.Expect expect, long version) {
        if (ItemSize.of(item) > TableLayout.MAX_ITEM_BYTES) {
            throw new IllegalArgumentException("the shared item " + item.get(TableLayout.PK).s() + " "
                    + item.get(TableLayout.SK).s() + " would exceed " + TableLayout.MAX_ITEM_BYTES + " bytes");
        }
        if (!table.putAll(List.of(new TableClient.Conditional(item, expect, version)))) {
            return false;
        }
        itemsWritten.increment();
        storedBytes.increment(ItemSize.of(item));
        return true;
    }
}
