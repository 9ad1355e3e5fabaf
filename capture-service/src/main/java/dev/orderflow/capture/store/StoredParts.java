package dev.orderflow.capture.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;

import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Chunk;
import dev.orderflow.storage.ExchangeOrder;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.Hosts;
import dev.orderflow.storage.TableLayout;
import io.micrometer.core.instrument.Counter;
import io.quarkus.logging.Log;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The writer's reads of a window's stored parts: whether a part just written overlaps the one before it, and the merge
 * of events with what the table holds (see {@link Writer}).
 */
final class StoredParts {
    /** Read-merge-write rounds of one merge before it is given up as refused (a conflict settles in a few). */
    static final int MAX_ROUNDS = 32;
    /**
     * One merge of a window at a time in a process (a lock per window, striped): the writer threads whose parts of
     * one slot conflict (as after a burst) would otherwise each hold the parts they rewrite, and rewrite each other's
     * parts between their reads and writes. Merges of different windows (every part of a host that reads first goes
     * through one) go on side by side.
     */
    private final ReentrantLock[] windowLocks = new ReentrantLock[64];
    private final TableClient table;
    private final String host;
    private final Counter itemsWritten;
    private final Counter storedBytes;

    StoredParts(TableClient table, String host, Counter itemsWritten, Counter storedBytes) {
        this.table = table;
        this.host = host;
        this.itemsWritten = itemsWritten;
        this.storedBytes = storedBytes;
        for (int i = 0; i < windowLocks.length; i++) {
            windowLocks[i] = new ReentrantLock();
        }
    }

    /**
     * Whether a stored part before the one just written (another host's, or an earlier run's, cut differently, or
     * rewritten by a merge) may hold one of its events. From the part backwards (numbers not stored yet, puts still on
     * their way, are passed over): a part that ends after its first µs overlaps it; one that ends at that µs (many
     * events share a millisecond) is read whole and compared, unless it is this process's own first put, never
     * rewritten since ({@code ownFirstPut} and write version 1); a part that begins before that µs ends the walk.
     * Past a part that lies wholly in that µs, the walk goes on only in a window some writer merged
     * ({@link TableClient#merged}): only a merge puts one writer's events of a µs into a part before another's, and
     * only a first put whose number was taken lets two writers' parts alternate ({@link #mergeAfterConflict}). Of
     * this check and such a merge, whichever reads second sees the other's write (a merge marks the window before its
     * write, and reads the window again once written).
     *
     * <p>Parts after this one need no check: this process cut every number below a part it puts, so another writer's
     * later part holding the same events was put while this number was taken or still on its way, and whichever of
     * the two puts of this number comes second finds it taken and merges, reading the whole window.
     */
    boolean overlapsEarlier(Job.Window w, Map<String, AttributeValue> item, List<Held> ours,
            IntPredicate ownFirstPut) {
        long first = TableLayout.firstMicros(item, Long.MIN_VALUE);
        boolean merged = false;
        for (int k = w.part() - 1; k >= 0; ) {
            // the part just before first (one GetItem); a Query only when a put is still on its way
            Optional<Map<String, AttributeValue>> near = table.partSpan(w.pair(), w.channel(),
                    w.windowStartMicros(), k);
            if (near.isEmpty() && k > 0) {
                near = table.nearestPartBefore(w.pair(), w.channel(), w.windowStartMicros(), k - 1);
            }
            if (near.isEmpty()) {
                return false;
            }
            Map<String, AttributeValue> span = near.get();
            long last = TableLayout.lastMicros(span, Long.MAX_VALUE);
            if (last != first) {
                return last > first; // before it: in order, the parts further back end earlier still
            }
            int p = TableLayout.partOfSk(span.get(TableLayout.SK).s());
            AttributeValue version = span.get(TableLayout.WRITE_VERSION);
            if (!(ownFirstPut.test(p) && version != null && "1".equals(version.n()))) {
                // the same µs: only the events tell (read whole; a span changed since is merged)
                for (Map<String, AttributeValue> whole : table.windowItems(w.pair(), w.channel(),
                        w.windowStartMicros(), p, p)) {
                    if (TableLayout.lastMicros(whole, Long.MAX_VALUE) != first || sharesAnEventAt(whole, ours, first)) {
                        return true;
                    }
                }
            }
            if (TableLayout.firstMicros(span, Long.MIN_VALUE) < first) {
                return false; // the parts further back end before this µs
            }
            if (!merged && !(merged = table.merged(w.pair(), w.channel(), w.windowStartMicros()))) {
                return false; // a run of parts in one µs, never merged: no other writer's events before them
            }
            k = p - 1;
        }
        return false;
    }

    /** The first of parts {@code 0..i} whose events reach {@code micros} ({@code lastOf}: up to each part). */
    private static int firstReaching(long[] lastOf, int i, long micros) {
        for (int k = 0; k < i; k++) {
            if (lastOf[k] >= micros) {
                return k;
            }
        }
        return i;
    }

    private static boolean sharesAnEventAt(Map<String, AttributeValue> near, List<Held> ours, long micros) {
        Set<JsonNode> there = new HashSet<>();
        TableLayout.fromItem(near).ifPresent(chunk -> chunk.events().stream()
                .filter(e -> e.microtimestamp() == micros).forEach(e -> there.add(e.frame())));
        for (CapturedEvent e : ChunkParts.parse(ours.stream().filter(h -> h.microtimestamp() == micros).toList())) {
            if (there.contains(e.frame())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads the window's stored parts and writes the union with {@code ours} back, conditionally, until it holds;
     * returns the events added. Events that fall within the stored parts' span are put into the parts that span them
     * ({@link #insertions}); otherwise the parts from the first one that changes are cut anew, and those before it
     * stay as they are. Before the first write, the window is marked as merged ({@link TableClient#markMerged}).
     * Once written, the window is read again and merged until it holds each event once, in order:
     * the write's conditions cover the parts it writes, not a part another writer first put, or another merge
     * rewrote, between this merge's read and its write, and their events may be the ones just added (the other
     * writer's own check of its neighbours covers a put after that second read).
     */
    List<CapturedEvent> merge(Job.Window w, List<CapturedEvent> toAdd) {
        return merge(w, toAdd, false);
    }

    /**
     * {@link #merge} after a first put of this process found its part's number taken, or a part before it
     * overlapping: the window is marked as merged before it is read, even when the merge then writes nothing. The
     * window's parts then come from more than one writer, and this process's next first puts may hold events another
     * writer put into a part further back than the one before them.
     */
    List<CapturedEvent> mergeAfterConflict(Job.Window w, List<CapturedEvent> toAdd) {
        table.markMerged(w.pair(), w.channel(), w.windowStartMicros());
        return merge(w, toAdd, true);
    }

    private List<CapturedEvent> merge(Job.Window w, List<CapturedEvent> toAdd, boolean markedAlready) {
        ReentrantLock lock = windowLocks[Math.floorMod(Objects.hash(w.pair(), w.channel(), w.windowStartMicros()),
                windowLocks.length)];
        lock.lock();
        try {
            return mergeAlone(w, toAdd, markedAlready);
        } finally {
            lock.unlock();
        }
    }

    private List<CapturedEvent> mergeAlone(Job.Window w, List<CapturedEvent> toAdd, boolean markedAlready) {
        List<CapturedEvent> ours = toAdd;
        List<CapturedEvent> addedInAll = new ArrayList<>();
        boolean marked = markedAlready;
        for (int round = 0; ; round++) {
            if (round == MAX_ROUNDS) {
                // Stored parts that repeat one event more often than the union has events cannot all be rewritten
                // (a part is never empty and the capture may not delete), so the repeats would be read again after
                // every write. Refused instead: dead-lettered with a not_stored record, not written without end.
                throw new IllegalStateException("merging into " + TableLayout.chunkPk(w.pair(), w.channel()) + " "
                        + TableLayout.chunkSk(w.windowStartMicros(), 0) + " did not settle in " + MAX_ROUNDS
                        + " rounds (stored parts repeating events, or writers changing it without pause)");
            }
            List<Map<String, AttributeValue>> stored = table.windowItems(w.pair(), w.channel(), w.windowStartMicros(),
                    0, TableLayout.MAX_PART);
            stored.sort(Comparator.comparing(item -> item.get(TableLayout.SK).s()));
            Scan scan = scan(stored, ours);
            int from = scan.from();
            boolean inOrder = from >= stored.size(); // each stored event once, in time order
            List<CapturedEvent> added = scan.added();
            if (!added.isEmpty()) {
                long earliest = added.stream().mapToLong(CapturedEvent::microtimestamp).min().orElseThrow();
                int at = stored.size() - 1;
                for (int i = 0; i < stored.size(); i++) {
                    if (TableLayout.lastMicros(stored.get(i), Long.MAX_VALUE) >= earliest) {
                        at = i;
                        break;
                    }
                }
                from = Math.min(from, Math.max(0, at));
            }
            if (added.isEmpty() && from >= stored.size()) {
                return addedInAll; // the table holds every event already, each once and in order: nothing to write
            }
            List<TableClient.Conditional> inserts = inOrder
                    ? insertions(w, stored, scan.lastOf(), added, scan.receivedHere()) : List.of();
            if (!marked) {
                table.markMerged(w.pair(), w.channel(), w.windowStartMicros());
                marked = true;
            }
            if (!inserts.isEmpty()) {
                if (table.putAll(inserts)) {
                    counted(inserts);
                    logMerge(w, "inserted into", inserts, added.size(), stored.size());
                    addedInAll.addAll(added);
                    ours = List.of();
                }
                continue; // read again: written (checked), or changed meanwhile (merged again)
            }
            if (stored.size() - from > ChunkParts.MAX_TRANSACTION_ITEMS) {
                throw tooManyParts(w, stored.size() - from); // refused before its parts are decoded
            }
            List<CapturedEvent> union = new ArrayList<>();
            Set<String> once = new HashSet<>();
            Set<String> hosts = new TreeSet<>(Set.of(host));
            Map<String, TableClient.Conditional> expected = new HashMap<>();
            long version = 0;
            for (int i = from; i < stored.size(); i++) {
                for (CapturedEvent e : events(stored.get(i))) {
                    String identity = Frames.identity(e.frame());
                    if (once.add(identity)) {
                        union.add(earliestReceived(e, identity, scan.receivedHere()));
                    }
                }
                hosts.addAll(Hosts.chunkHosts(stored.get(i)));
                AttributeValue v = stored.get(i).get(TableLayout.WRITE_VERSION);
                long n = v == null ? 0 : Long.parseLong(v.n());
                version = Math.max(version, n);
                expected.put(stored.get(i).get(TableLayout.SK).s(), new TableClient.Conditional(null,
                        v == null ? TableClient.Expect.UNVERSIONED : TableClient.Expect.VERSION, n));
            }
            union.addAll(added);
            ExchangeOrder.sort(union, w.channel());
            // (nothing stored yet: a host that reads first writes the window's first parts)
            int firstPart = stored.isEmpty() ? 0 : TableLayout.partOfSk(stored.get(from).get(TableLayout.SK).s());
            // every number up to the last stored part is written: a part not stored yet (a writer thread's put still
            // on its way) leaves a gap in the numbers, and a part after it must not be left behind
            int lastPart = stored.isEmpty() ? -1
                    : TableLayout.partOfSk(stored.get(stored.size() - 1).get(TableLayout.SK).s());
            List<TableClient.Conditional> writes = new ArrayList<>();
            for (Map<String, AttributeValue> item : ChunkParts.items(w.pair(), w.channel(), w.windowStartMicros(),
                    firstPart, union, lastPart - firstPart + 1, version + 1, hosts)) {
                TableClient.Conditional was = expected.get(item.get(TableLayout.SK).s());
                writes.add(was == null ? new TableClient.Conditional(item, TableClient.Expect.ABSENT, 0)
                        : new TableClient.Conditional(item, was.expect(), was.version()));
            }
            if (writes.size() > ChunkParts.MAX_TRANSACTION_ITEMS) {
                throw tooManyParts(w, writes.size());
            }
            if (table.putAll(writes)) {
                counted(writes);
                logMerge(w, inOrder ? "cut anew" : "cut anew (repeated or out of order from part " + from + ")",
                        writes, added.size(), stored.size());
                addedInAll.addAll(added);
                ours = List.of();
            }
        }
    }

    private static IllegalArgumentException tooManyParts(Job.Window w, int parts) {
        return new IllegalArgumentException("merging into " + TableLayout.chunkPk(w.pair(), w.channel()) + " "
                + TableLayout.chunkSk(w.windowStartMicros(), 0) + " would rewrite " + parts
                + " parts, more than one transaction holds");
    }

    /**
     * What a merge learns from reading the stored parts: the first part to cut anew ({@code from}: the size when the
     * parts hold each event once, in time order), the last event time up to each part, the events of {@code ours}
     * not stored yet, and the earliest time this job received those that are.
     */
    private record Scan(int from, long[] lastOf, List<CapturedEvent> added, Map<String, Long> receivedHere) {
    }

    /**
     * Reads the stored parts one at a time and keeps, of their events, only the identities ({@link Frames#identity})
     * it needs, never their trees: those of the latest µs read (a repeat of an event in parts in time order comes
     * in the same µs as its first copy; one out of time order is caught by its time alone), and those within the
     * time span of {@code ours} (only they can be ours again). So a merge's reading holds about a part's worth,
     * however busy the window; it needs the trees only of the parts it rewrites, decoded again when it does.
     */
    private static Scan scan(List<Map<String, AttributeValue>> stored, List<CapturedEvent> ours) {
        long oursFrom = ours.stream().mapToLong(CapturedEvent::microtimestamp).min().orElse(Long.MAX_VALUE);
        long oursTo = ours.stream().mapToLong(CapturedEvent::microtimestamp).max().orElse(Long.MIN_VALUE);
        Set<String> atLast = new HashSet<>();
        Set<String> inOursSpan = new HashSet<>();
        int from = stored.size();
        long[] lastOf = new long[stored.size()];
        long previousLast = Long.MIN_VALUE;
        for (int i = 0; i < stored.size(); i++) {
            for (CapturedEvent e : events(stored.get(i))) {
                long at = e.microtimestamp();
                String identity = Frames.identity(e.frame());
                if (at > previousLast) {
                    atLast.clear();
                }
                if (at < previousLast || !atLast.add(identity)) {
                    // out of order or repeated: rewritten from the first part reaching its time, which holds the
                    // other copy or the later events
                    from = Math.min(from, firstReaching(lastOf, i, at));
                }
                if (oursFrom <= at && at <= oursTo) {
                    inOursSpan.add(identity);
                }
                previousLast = Math.max(previousLast, at);
            }
            lastOf[i] = previousLast;
        }
        List<CapturedEvent> added = new ArrayList<>();
        Map<String, Long> receivedHere = new HashMap<>();
        for (CapturedEvent e : ours) {
            String identity = Frames.identity(e.frame());
            if (inOursSpan.add(identity)) {
                added.add(e);
            } else {
                receivedHere.merge(identity, e.receivedMicros(), Math::min);
            }
        }
        return new Scan(from, lastOf, added, receivedHere);
    }

    private static List<CapturedEvent> events(Map<String, AttributeValue> item) {
        return TableLayout.fromItem(item).map(Chunk::events).orElse(List.of());
    }

    /**
     * When every event to add falls within the stored parts' span and they hold no event twice or out of order, the
     * writes that put each one into the part whose span holds it (the first reaching its time), leaving every other
     * part, and the cut, as they are: a host that connected a little before the others adds its first events to part
     * 0 instead of cutting the window anew, which would make every later part of the others overlap it. Empty when
     * the events reach past the last part, or a part would grow past an item's size: then the parts are cut anew.
     */
    private List<TableClient.Conditional> insertions(Job.Window w, List<Map<String, AttributeValue>> stored,
            long[] lastOf, List<CapturedEvent> added, Map<String, Long> receivedHere) {
        if (added.isEmpty() || stored.isEmpty()) {
            return List.of();
        }
        Map<Integer, List<CapturedEvent>> into = new TreeMap<>();
        for (CapturedEvent e : added) {
            int k = firstReaching(lastOf, stored.size(), e.microtimestamp());
            if (k == stored.size()) {
                return List.of();
            }
            into.computeIfAbsent(k, i -> new ArrayList<>()).add(e);
        }
        List<TableClient.Conditional> writes = new ArrayList<>();
        for (Map.Entry<Integer, List<CapturedEvent>> target : into.entrySet()) {
            Map<String, AttributeValue> was = stored.get(target.getKey());
            List<CapturedEvent> grown = new ArrayList<>();
            for (CapturedEvent e : events(was)) {
                grown.add(receivedHere.isEmpty() ? e : earliestReceived(e, Frames.identity(e.frame()), receivedHere));
            }
            grown.addAll(target.getValue());
            ExchangeOrder.sort(grown, w.channel());
            AttributeValue v = was.get(TableLayout.WRITE_VERSION);
            long n = v == null ? 0 : Long.parseLong(v.n());
            Set<String> hosts = new TreeSet<>(Hosts.chunkHosts(was));
            hosts.add(host);
            Map<String, AttributeValue> item = TableLayout.toItem(new Chunk(w.pair(), w.channel(),
                    w.windowStartMicros(), TableLayout.partOfSk(was.get(TableLayout.SK).s()), grown), n + 1);
            item.put(Hosts.CHUNK_HOSTS, Hosts.chunkHosts(hosts));
            if (ItemSize.of(item) > TableLayout.MAX_ITEM_BYTES) {
                return List.of();
            }
            writes.add(new TableClient.Conditional(item,
                    v == null ? TableClient.Expect.UNVERSIONED : TableClient.Expect.VERSION, n));
        }
        return writes;
    }

    /**
     * A stored event with the earliest receive time any host had for it ({@code receivedHere}: this job's, by
     * identity).
     */
    private static CapturedEvent earliestReceived(CapturedEvent e, String identity, Map<String, Long> receivedHere) {
        Long here = receivedHere.get(identity);
        return here == null || here >= e.receivedMicros() ? e : new CapturedEvent(e.microtimestamp(), here, e.frame());
    }

    /** One line per merge written (merges are rare with one host; the two-host and restart cases need them told). */
    private static void logMerge(Job.Window w, String how, List<TableClient.Conditional> writes, int added,
            int storedParts) {
        Log.infof("Merged %s %s: %d event(s) added, parts %s %s, of %d stored", TableLayout.chunkPk(w.pair(),
                w.channel()), TableLayout.chunkSk(w.windowStartMicros(), 0), added, writes.stream()
                .map(c -> Integer.toString(TableLayout.partOfSk(c.item().get(TableLayout.SK).s()))).toList(), how,
                storedParts);
    }

    private void counted(List<TableClient.Conditional> writes) {
        for (TableClient.Conditional c : writes) {
            itemsWritten.increment();
            storedBytes.increment(ItemSize.of(c.item()));
        }
    }
}
