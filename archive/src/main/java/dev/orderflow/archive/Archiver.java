package dev.orderflow.archive;

import java.util.ArrayList;
import java.util.List;

/**
 * Archives the sealed hours of every pair and channel in the catalog: an hour is sealed once the capture's
 * confirmed watermark ({@code confirmed_until}) has passed its end, i.e. every window of it is stored. Hours still
 * open are left for a later pass.
 */
public final class Archiver {
    private final TableSource table;
    private final ArchiveTarget target;

    public Archiver(TableSource table, ArchiveTarget target) {
        this.table = table;
        this.target = target;
    }

    /**
     * Archives every sealed hour that overlaps {@code [fromMicros, toMicros)} (each bound {@code null}: from the
     * first stored event, up to the watermark), oldest first.
     */
    public List<HourArchiver.Result> archiveSealed(Long fromMicros, Long toMicros) {
        return archive(fromMicros, toMicros, false);
    }

    /**
     * As {@link #archiveSealed}, and with {@code includeOpen} also the hours up to the last stored event that are
     * not sealed yet: their coverage says {@code after_confirmed_writes}, and a later pass rewrites them. Hour by
     * hour, every pair and channel of an hour in turn, so that the shared items a group of channels reads are read
     * once an hour ({@link TableSource#perPass}).
     */
    public List<HourArchiver.Result> archive(Long fromMicros, Long toMicros, boolean includeOpen) {
        record Span(TableSource.Entry entry, long from, long to) {
        }
        List<Span> spans = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (TableSource.Entry entry : table.catalog()) {
            if (entry.firstMicros() == null || entry.confirmedUntilMicros() == null) {
                continue;
            }
            long from = Math.max(entry.firstMicros(), fromMicros == null ? Long.MIN_VALUE : fromMicros);
            long last = includeOpen && entry.lastMicros() != null
                    ? Math.max(entry.lastMicros() + 1, entry.confirmedUntilMicros()) : entry.confirmedUntilMicros();
            long to = Math.min(last, toMicros == null ? Long.MAX_VALUE : toMicros);
            spans.add(new Span(entry, from, to));
            first = Math.min(first, Hour.of(entry.pair(), entry.channel(), from).startMicros());
            end = Math.max(end, to);
        }
        List<HourArchiver.Result> results = new ArrayList<>();
        HourArchiver hours = new HourArchiver(table.perPass(), target);
        for (long start = first; start < end; start += Hour.MICROS) {
            for (Span span : spans) {
                TableSource.Entry entry = span.entry();
                Hour hour = new Hour(entry.pair(), entry.channel(), start);
                if (hour.endMicros() > span.from() && start < span.to()
                        && (includeOpen || hour.endMicros() <= entry.confirmedUntilMicros())) {
                    results.add(hours.archive(hour, entry));
                }
            }
        }
        return results;
    }
}
