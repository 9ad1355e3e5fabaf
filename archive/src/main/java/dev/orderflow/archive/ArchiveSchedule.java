package dev.orderflow.archive;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Archives sealed hours as they come: every period, the hours sealed since the last pass and those of the last
 * {@link #LOOKBACK} (late data or a restarted capture may still change them; an unchanged file is not written
 * again). The first pass takes every sealed hour, so a restart catches up. A failed pass is reported and the next
 * one tries again.
 */
public final class ArchiveSchedule implements AutoCloseable {
    /** Sealed hours re-checked at every pass. */
    public static final Duration LOOKBACK = Duration.ofHours(2);

    private final Archiver archiver;
    private final Consumer<String> report;
    private final LongSupplier nowMicros;
    private final ScheduledExecutorService timer;
    private volatile boolean caughtUp;

    public ArchiveSchedule(Archiver archiver, Duration every, Consumer<String> report) {
        this(archiver, every, report, () -> System.currentTimeMillis() * 1000L);
    }

    ArchiveSchedule(Archiver archiver, Duration every, Consumer<String> report, LongSupplier nowMicros) {
        this.archiver = archiver;
        this.report = report;
        this.nowMicros = nowMicros;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "archive");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::pass, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass: what a scheduled run does. */
    public List<HourArchiver.Result> pass() {
        try {
            Long from = caughtUp ? nowMicros.getAsLong() - LOOKBACK.toNanos() / 1000L - Hour.MICROS : null;
            List<HourArchiver.Result> results = archiver.archiveSealed(from, null);
            caughtUp = true;
            for (HourArchiver.Result r : results) {
                if (r.filesWritten() > 0) {
                    report.accept(String.format("archived %s: %d events, %s, %d bytes", r.hour(), r.events(),
                            r.complete() ? "complete" : "not complete", r.eventsFileBytes()));
                }
            }
            return results;
        } catch (RuntimeException e) {
            report.accept("archive pass failed, trying again at the next one: " + e);
            return List.of();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
