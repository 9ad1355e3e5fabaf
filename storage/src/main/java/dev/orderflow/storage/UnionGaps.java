package dev.orderflow.storage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What "a gap" means when several capture hosts write one table: a window in which <b>every</b> host may have missed
 * events. Each host records its own gaps (disconnects, chain breaks, windows it could not store); the table holds
 * the union of what the hosts received, so a window one host missed and another did not is no gap of the record.
 *
 * <p>A host may have missed events: in each of its gap records (closed intervals, as stored, narrowed for a
 * disconnect by the times the host knows it was receiving: {@link GapRecord#missedFromMicros}); before the first
 * event it stored; and from the time up to which it confirmed storing everything ({@code confirmed_until}) on,
 * since a host that stopped records its downtime only when it starts again. A record from a table written before
 * hosts were named belongs to an unnamed host, which is taken to have stopped where the first named host started.
 * The gaps of the record are the intersection over all hosts, and every chain break no other host can vouch for
 * (one with no record of its own there, its disconnects taken whole: a chain is not checked across a disconnect). Where that intersection holds no record at all (one
 * host stopped, the other started later), it is answered as a {@code disconnect} no host has recorded yet, within
 * the stored range. With one host (or none named), the records are the answer, unchanged.
 */
public final class UnionGaps {
    private static final long BEFORE = Long.MIN_VALUE;
    private static final long AFTER = Long.MAX_VALUE;
    private static final String UNNAMED = "";
    /**
     * The detail of a record that stands for a stored one that could not be read (a gap over the whole range asked
     * for): it does not say whose it was, so with several hosts it counts as every host's, and the union keeps it.
     */
    public static final String UNREADABLE = "unreadable gap record";

    private UnionGaps() {
    }

    private record Interval(long from, long to) {
    }

    /**
     * @param records the hosts' gap records of one pair and channel, any order
     * @param spans   each named host's span, from the catalog ({@link Hosts#spans})
     * @return the gaps of the record, oldest first; each names every host that missed it
     */
    public static List<GapRecord> of(String pair, Channel channel, List<GapRecord> records,
            Map<String, Hosts.Span> spans) {
        Map<String, List<GapRecord>> byHost = new TreeMap<>();
        spans.keySet().forEach(h -> byHost.put(h, new ArrayList<>()));
        for (GapRecord r : records) {
            if (UNREADABLE.equals(r.detail()) && r.hosts().isEmpty() && spans.size() > 1) {
                spans.keySet().forEach(h -> byHost.get(h).add(r.byHost(h)));
                continue;
            }
            byHost.computeIfAbsent(r.hosts().isEmpty() ? UNNAMED : r.hosts().get(0), h -> new ArrayList<>()).add(r);
        }
        if (byHost.size() <= 1) {
            return records.stream().sorted(Comparator.comparingLong(GapRecord::fromMicros)).toList();
        }
        long firstNamed = spans.values().stream().map(Hosts.Span::firstMicros).filter(Objects::nonNull)
                .mapToLong(Long::longValue).min().orElse(AFTER);
        long lastConfirmed = spans.values().stream().map(Hosts.Span::confirmedUntilMicros).filter(Objects::nonNull)
                .mapToLong(Long::longValue).max().orElse(BEFORE);
        List<Interval> all = null;
        for (Map.Entry<String, List<GapRecord>> host : byHost.entrySet()) {
            List<Interval> down = down(host.getValue(), spans.get(host.getKey()), host.getKey(), firstNamed, true);
            all = all == null ? down : intersect(all, down);
        }
        all = new ArrayList<>(all);
        // A chain break is the exchange's sequence saying events are missing: only a host whose own chain ran
        // unbroken across it (no record of any kind there, a disconnect taken whole: its chain is not checked
        // across it) can vouch for those events.
        Map<String, List<Interval>> whole = new TreeMap<>();
        byHost.forEach((host, own) -> whole.put(host, down(own, spans.get(host), host, firstNamed, false)));
        for (Map.Entry<String, List<GapRecord>> host : byHost.entrySet()) {
            for (GapRecord r : host.getValue()) {
                List<Interval> lost = List.of(new Interval(r.fromMicros(), r.toMicros()));
                if (r.kind() == GapRecord.Kind.CHAIN_BREAK && whole.entrySet().stream()
                        .filter(other -> !other.getKey().equals(host.getKey()))
                        .noneMatch(other -> intersect(lost, other.getValue()).isEmpty())) {
                    all.add(lost.get(0));
                }
            }
        }
        all = merge(all);
        List<GapRecord> gaps = new ArrayList<>();
        for (Interval piece : all) {
            List<GapRecord> within = records.stream()
                    .filter(r -> r.missedFromMicros() <= piece.to() && r.missedToMicros() >= piece.from()).toList();
            if (within.isEmpty()) {
                long from = Math.max(piece.from(), firstNamed);
                long to = Math.min(piece.to(), lastConfirmed);
                if (from < to) { // a host's own first or confirmed point is no gap
                    gaps.add(new GapRecord(pair, channel, GapRecord.Kind.DISCONNECT, from, to, null, null, null,
                            "no capture host was storing (no host has recorded it yet)", named(byHost.keySet())));
                }
            } else {
                gaps.add(merged(pair, channel, piece, within, byHost.keySet()));
            }
        }
        return gaps;
    }

    /**
     * Where a host may have missed events, as sorted disjoint closed intervals; {@code narrowed}: its disconnects
     * only where it knows it was not receiving, else whole (where its chain is not checked).
     */
    private static List<Interval> down(List<GapRecord> records, Hosts.Span span, String host, long firstNamed,
            boolean narrowed) {
        List<Interval> down = new ArrayList<>();
        records.forEach(r -> down.add(narrowed ? new Interval(r.missedFromMicros(), r.missedToMicros())
                : new Interval(r.fromMicros(), r.toMicros())));
        if (host.equals(UNNAMED)) {
            down.add(new Interval(firstNamed, AFTER));
        } else if (span == null || span.firstMicros() == null) {
            down.add(new Interval(BEFORE, AFTER)); // it stored nothing it can vouch for
        } else {
            // before its first event; its stamp counts as held: a host whose record starts or ends there received
            // the events of that millisecond on the other side of it (the exchange's order within a millisecond is
            // not in the stamps), and closing it made a one-µs gap of every hand-over between two hosts
            down.add(new Interval(BEFORE, span.firstMicros() - 1));
            down.add(new Interval(span.confirmedUntilMicros() == null ? span.firstMicros()
                    : span.confirmedUntilMicros(), AFTER));
        }
        return merge(down);
    }

    /** Sorted, overlapping intervals joined. */
    private static List<Interval> merge(List<Interval> intervals) {
        List<Interval> down = new ArrayList<>(intervals);
        down.sort(Comparator.comparingLong(Interval::from));
        List<Interval> merged = new ArrayList<>();
        for (Interval i : down) {
            Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && i.from() <= last.to()) {
                merged.set(merged.size() - 1, new Interval(last.from(), Math.max(last.to(), i.to())));
            } else {
                merged.add(i);
            }
        }
        return merged;
    }

    private static List<Interval> intersect(List<Interval> a, List<Interval> b) {
        List<Interval> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() && j < b.size()) {
            long from = Math.max(a.get(i).from(), b.get(j).from());
            long to = Math.min(a.get(i).to(), b.get(j).to());
            if (from <= to) {
                out.add(new Interval(from, to));
            }
            if (a.get(i).to() < b.get(j).to()) {
                i++;
            } else {
                j++;
            }
        }
        return out;
    }

    /** One gap of the record from the hosts' records within it: what they agree on, and each host's reason. */
    private static GapRecord merged(String pair, Channel channel, Interval piece, List<GapRecord> within,
            Set<String> hosts) {
        GapRecord first = within.get(0);
        boolean sameKind = within.stream().allMatch(r -> r.kind() == first.kind());
        List<GapRecord> breaks = within.stream().filter(r -> r.kind() == GapRecord.Kind.CHAIN_BREAK).toList();
        // the exchange's sequence says events are missing: that is what the gap is, and where
        List<GapRecord> named = breaks.isEmpty() ? within : breaks;
        Set<String> details = new LinkedHashSet<>();
        for (GapRecord r : within) {
            String host = r.hosts().isEmpty() ? "" : r.hosts().get(0) + ": ";
            details.add(host + (r.detail() == null ? r.kind().apiName() : r.detail()));
        }
        GapRecord.Kind kind = sameKind ? first.kind()
                : breaks.isEmpty() ? GapRecord.Kind.DISCONNECT : GapRecord.Kind.CHAIN_BREAK;
        return new GapRecord(pair, channel, kind,
                Math.max(piece.from(), within.stream().mapToLong(GapRecord::missedFromMicros).min().orElseThrow()),
                Math.min(piece.to(), within.stream().mapToLong(GapRecord::missedToMicros).max().orElseThrow()),
                common(named, GapRecord::lastEventId), common(named, GapRecord::firstEventIdAfter),
                common(named, GapRecord::expectedPreEventId), String.join("; ", details), named(hosts));
    }

    private static String common(List<GapRecord> records, java.util.function.Function<GapRecord, String> field) {
        String value = field.apply(records.get(0));
        return records.stream().allMatch(r -> Objects.equals(field.apply(r), value)) ? value : null;
    }

    private static List<String> named(Set<String> hosts) {
        return new TreeSet<>(hosts).stream().filter(h -> !h.isEmpty()).toList();
    }
}
