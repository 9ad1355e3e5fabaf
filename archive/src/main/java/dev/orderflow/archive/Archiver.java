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
    private final HourArchiver hours;

    public Archiver(TableSource table, ArchiveTarget target) {
        this.table = table;
        this.hours = new HourArchiver(table, target);
    }

    /**
     * Archives every sealed hour that overlaps {@code [fromMicros, toMicros)} (each bound {@code null}: from the
     * first stored event, up to the watermark), oldest first per pair and channel.
     */
    public List<HourArchiver.Result> archiveSealed(Long fromMicros, Long toMicros) {
        return archive(fromMicros, toMicros, false);
    }

    /**
     * As {@link #archiveSealed}, and with {@code includeOpen} also the hours up to the last stored event that are
     * not sealed yet: their coverage says {@code after_confirmed_writes}, and a later pass rewrites them.
     */
    public List<HourArchiver.Result> archive(Long fromMicros, Long toMicros, boolean includeOpen) {
        List<HourArchiver.Result> results = new ArrayList<>();
        for (TableSource.Entry entry : table.catalog()) {
            if (entry.firstMicros() == null || entry.confirmedUntilMicros() == null) {
                continue;
            }
            long from = Math.max(entry.firstMicros(), fromMicros == null ? Long.MIN_VALUE : fromMicros);
            long last = includeOpen && entry.lastMicros() != null
                    ? Math.max(entry.lastMicros() + 1, entry.confirmedUntilMicros()) : entry.confirmedUntilMicros();
            long to = Math.min(last, toMicros == null ? Long.MAX_VALUE : toMicros);
            for (Hour hour = Hour.of(entry.pair(), entry.channel(), from);
                    hour.startMicros() < to && (includeOpen || hour.endMicros() <= entry.confirmedUntilMicros());
                    hour = hour.next()) {
                results.add(hours.archive(hour, entry));
            }
        }
        return results;
    }
}
