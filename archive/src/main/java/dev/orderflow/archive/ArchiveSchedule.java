package dev.orderflow.archive;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Archives sealed hours as they come ({@link Archiver#archiveDue}): every period, the hours of the last
 * {@link Archiver#DUE_WINDOW}, each read when it is sealed and once more when it settles. The first pass takes every
 * hour since the first stored event, so a restart catches up. A failed pass (or failed hours) is reported and the
 * next one tries again.
 */
public final class ArchiveSchedule implements AutoCloseable {
    private final Archiver archiver;
    private final Consumer<String> report;
    private final ScheduledExecutorService timer;
    private volatile boolean caughtUp;

    public ArchiveSchedule(Archiver archiver, Duration every, Consumer<String> report) {
        this.archiver = archiver;
        this.report = report;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "archive");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::pass, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One pass: what a scheduled run does. Hours that failed are reported and tried again at the next pass, which
     * then looks at every hour again as the first does; anything thrown is reported, never ends the schedule.
     */
    public List<HourArchiver.Result> pass() {
        try {
            List<HourArchiver.Result> results = archiver.archiveDue(!caughtUp);
            caughtUp = true;
            reportWritten(results);
            return results;
        } catch (Archiver.HoursFailed e) {
            reportWritten(e.archived());
            report.accept(e.getMessage() + ", trying them again at the next pass: " + e.getCause());
            return e.archived();
        } catch (RuntimeException | Error e) {
            report.accept("archive pass failed, trying again at the next one: " + e);
            return List.of();
        }
    }

    private void reportWritten(List<HourArchiver.Result> results) {
        for (HourArchiver.Result r : results) {
            if (r.filesWritten() > 0) {
                report.accept(String.format(Locale.ROOT, "archived %s: %d events, %s, %d bytes", r.hour(), r.events(),
                        r.complete() ? "complete" : "not complete", r.eventsFileBytes()));
            }
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
