package dev.orderflow.archive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Archives the sealed hours of every pair and channel in the catalog: an hour is sealed once the capture's
 * confirmed watermark ({@code confirmed_until}) has passed its end, i.e. every window of it is stored. Hours still
 * open are left for a later pass. Late data (a restarted capture's journal, another capture host, an event the
 * exchange sent late) can still change a sealed hour, so a scheduled pass ({@link #archiveDue}) reads an hour again
 * once {@link #SETTLE_AFTER} after its end has passed; that archive is marked settled in the hour's manifest
 * ({@code "settled": true}) and is the last a scheduled pass makes.
 */
public final class Archiver {
    /** How long after its end a sealed hour can still change by late data, as far as the schedule is concerned. */
    public static final Duration SETTLE_AFTER = Duration.ofHours(3);
    /** How far back a scheduled pass looks: past {@link #SETTLE_AFTER} by an hour, so that passes may be late. */
    public static final Duration DUE_WINDOW = SETTLE_AFTER.plusHours(1);
    /**
     * How many hours before its window (or before the channel's watermark, when that is older: a channel no longer
     * captured) a scheduled pass looks back, a channel at a time, for hours not archived sealed: hours sealed only
     * after they left the window (a capture down for longer, whose watermark then passes them) are archived by the
     * schedule up to a week back; older ones by a backfill (a warning says so).
     */
    static final int CATCH_UP_HOURS = 7 * 24;

    private static final System.Logger LOG = System.getLogger(Archiver.class.getName());

    private final TableSource table;
    private final ArchiveTarget target;
    private final LongSupplier nowMicros;

    /**
     * Some hours of a pass failed (an unreadable item, the target refusing a write); every other hour of the pass was
     * archived ({@link #archived}). A failed hour has no new manifest, so it stays due: the next pass tries it again
     * while it is in the window, a backfill later. The first failure is the cause, the others are suppressed.
     */
    public static final class HoursFailed extends RuntimeException {
        private final transient List<HourArchiver.Result> archived;

        HoursFailed(List<Hour> hours, List<RuntimeException> causes, List<HourArchiver.Result> archived) {
            super(hours.size() + " hour(s) not archived: " + hours, causes.get(0));
            causes.subList(1, causes.size()).forEach(this::addSuppressed);
            this.archived = List.copyOf(archived);
        }

        /** The hours of the pass that were archived. */
        public List<HourArchiver.Result> archived() {
            return archived;
        }
    }

    public Archiver(TableSource table, ArchiveTarget target) {
        this(table, target, () -> System.currentTimeMillis() * 1000L);
    }

    Archiver(TableSource table, ArchiveTarget target, LongSupplier nowMicros) {
        this.table = table;
        this.target = target;
        this.nowMicros = nowMicros;
    }

    /**
     * Archives every sealed hour that overlaps {@code [fromMicros, toMicros)} (each bound {@code null}: from the
     * first stored event, up to the watermark), oldest first, reading each from the table.
     */
    public List<HourArchiver.Result> archiveSealed(Long fromMicros, Long toMicros) {
        return archive(fromMicros, toMicros, false);
    }

    /**
     * As {@link #archiveSealed}, and with {@code includeOpen} also the hours up to the last stored event that are
     * not sealed yet: their coverage says {@code after_confirmed_writes}, and a later pass rewrites them.
     */
    public List<HourArchiver.Result> archive(Long fromMicros, Long toMicros, boolean includeOpen) {
        return archive(fromMicros, toMicros, includeOpen, false);
    }

    /**
     * What a scheduled pass does: as {@link #archiveSealed} over the last {@link #DUE_WINDOW} (with
     * {@code catchUp}, from the first stored event), but each hour is read only while it is due: not archived
     * sealed yet, or archived sealed and past its settling time ({@link #SETTLE_AFTER}) but not settled. Every other
     * hour costs one read of its manifest. So an hour is read from the table twice, however often the passes come:
     * once sealed, and once settling (an hour sealed only after its settling time: once, settled at once). Before
     * the window, each channel's hours are looked at back to the first one archived sealed (at most
     * {@link #CATCH_UP_HOURS}): one more manifest a channel when nothing is behind.
     */
    public List<HourArchiver.Result> archiveDue(boolean catchUp) {
        Long from = catchUp ? null : nowMicros.getAsLong() - DUE_WINDOW.toNanos() / 1000L;
        return archive(from, null, false, true);
    }

    /**
     * Hour by hour, every pair and channel of an hour in turn, so that the shared items a group of channels reads
     * are read once an hour ({@link TableSource#perPass}).
     */
    private List<HourArchiver.Result> archive(Long fromMicros, Long toMicros, boolean includeOpen,
                                              boolean onlyDue) {
        record Span(TableSource.Entry entry, long from, long to) {
        }
        List<Span> spans = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        HourArchiver hours = new HourArchiver(table.perPass(), target);
        for (TableSource.Entry entry : table.catalog()) {
            if (entry.firstMicros() == null || entry.confirmedUntilMicros() == null) {
                continue;
            }
            long from = Math.max(entry.firstMicros(), fromMicros == null ? Long.MIN_VALUE
                    : onlyDue ? unsettledFrom(hours, entry, fromMicros) : fromMicros);
            long last = includeOpen && entry.lastMicros() != null
                    ? Math.max(entry.lastMicros() + 1, entry.confirmedUntilMicros()) : entry.confirmedUntilMicros();
            long to = Math.min(last, toMicros == null ? Long.MAX_VALUE : toMicros);
            spans.add(new Span(entry, from, to));
            first = Math.min(first, Hour.of(entry.pair(), entry.channel(), from).startMicros());
            end = Math.max(end, to);
        }
        long now = nowMicros.getAsLong();
        List<HourArchiver.Result> results = new ArrayList<>();
        List<Hour> failed = new ArrayList<>();
        List<RuntimeException> causes = new ArrayList<>();
        for (long start = first; start < end; start += Hour.MICROS) {
            for (Span span : spans) {
                TableSource.Entry entry = span.entry();
                Hour hour = new Hour(entry.pair(), entry.channel(), start);
                boolean sealed = hour.endMicros() <= entry.confirmedUntilMicros();
                if (hour.endMicros() <= span.from() || start >= span.to() || !(includeOpen || sealed)) {
                    continue;
                }
                boolean pastSettling = sealed && now >= hour.endMicros() + SETTLE_AFTER.toNanos() / 1000L;
                try {
                    archiveHour(hours, hour, entry, pastSettling, onlyDue).ifPresent(results::add);
                } catch (RuntimeException e) {
                    // one hour's failure (a damaged item, a refused write) does not hold up the others
                    LOG.log(System.Logger.Level.ERROR, "archiving " + hour + " failed; the pass goes on", e);
                    failed.add(hour);
                    causes.add(e);
                }
            }
        }
        if (!failed.isEmpty()) {
            throw new HoursFailed(failed, causes, results);
        }
        return results;
    }

    /** Archives one hour, or (with {@code onlyDue}) nothing when it is not due. */
    private static Optional<HourArchiver.Result> archiveHour(HourArchiver hours, Hour hour,
            TableSource.Entry entry, boolean pastSettling, boolean onlyDue) {
        if (!onlyDue) {
            return Optional.of(hours.archive(hour, entry, pastSettling));
        }
        return switch (hours.archived(hour)) {
            case UNSEALED -> Optional.of(hours.archive(hour, entry, pastSettling));
            // sealed: read again once past its settling time; settled: not read again by the schedule
            case SEALED -> pastSettling ? Optional.of(hours.archive(hour, entry, true))
                    : Optional.empty();
            case SETTLED -> Optional.empty();
        };
    }

    /**
     * Where a scheduled pass starts for a channel: {@code windowFrom}, or earlier when the hours just before the
     * window were not archived sealed (sealed only after they left it), back to the first that was.
     */
    private static long unsettledFrom(HourArchiver hours, TableSource.Entry entry, long windowFrom) {
        long from = windowFrom;
        // from the window, or from the watermark when it is older (a channel no longer captured): sealed hours only
        Hour before = Hour.of(entry.pair(), entry.channel(), Math.min(windowFrom, entry.confirmedUntilMicros()));
        for (int i = 0; ; i++) {
            before = new Hour(before.pair(), before.channel(), before.startMicros() - Hour.MICROS);
            if (before.endMicros() <= entry.firstMicros()
                    || hours.archived(before) != HourArchiver.Archived.UNSEALED) {
                return from;
            }
            if (i == CATCH_UP_HOURS) {
                LOG.log(System.Logger.Level.WARNING, "{0} {1}: hours more than {2} h before the archive''s window are"
                        + " not archived yet; the schedule leaves them to a backfill (from {3} µs)", entry.pair(),
                        entry.channel().apiName(), CATCH_UP_HOURS, Long.toString(entry.firstMicros()));
                return from;
            }
            from = before.startMicros();
        }
    }
}
