package dev.orderflow.archive;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Locale;

import dev.orderflow.storage.Channel;

/**
 * One hour of one pair and channel, and where its files go: the Hive layout
 * {@code <kind>/channel=<orders|trades>/pair=<pair>/date=<yyyy-MM-dd>/hour=<HH>/}, the same under a local directory
 * and in S3, and the layout the Glue tables' partition projection describes.
 */
public record Hour(String pair, Channel channel, long startMicros) {
    public static final long MICROS = 3_600_000_000L;
    public static final String EVENTS = "events";
    public static final String GAPS = "gaps";
    public static final String COVERAGE_ROWS = "coverage";
    /** The L3 snapshots stored in the hour: under {@code channel=orders}, whose events rebuild books from them. */
    public static final String SNAPSHOTS = "snapshots";
    public static final String FILE = "part-0.parquet";
    public static final String COVERAGE = "_coverage.json";

    public Hour {
        if (Math.floorMod(startMicros, MICROS) != 0) {
            throw new IllegalArgumentException("not the start of an hour: " + startMicros);
        }
    }

    /** The hour that holds {@code micros}. */
    public static Hour of(String pair, Channel channel, long micros) {
        return new Hour(pair, channel, Math.floorDiv(micros, MICROS) * MICROS);
    }

    public long endMicros() {
        return startMicros + MICROS;
    }

    public Hour next() {
        return new Hour(pair, channel, endMicros());
    }

    /** {@code <kind>/channel=…/pair=…/date=…/hour=…/}, ending with a slash. */
    public String partition(String kind) {
        ZonedDateTime t = Instant.ofEpochSecond(Math.floorDiv(startMicros, 1_000_000L)).atZone(ZoneOffset.UTC);
        return String.format(Locale.ROOT, "%s/channel=%s/pair=%s/date=%s/hour=%02d/", kind, channel.apiName(), pair,
                t.toLocalDate(), t.getHour());
    }

    public String eventsFile() {
        return partition(EVENTS) + FILE;
    }

    public String coverageFile() {
        return partition(EVENTS) + COVERAGE;
    }

    /** The hour's coverage as a one-row Parquet file, for engines that read neither metadata nor {@code _} files. */
    public String coverageRowFile() {
        return partition(COVERAGE_ROWS) + FILE;
    }

    public String gapsFile() {
        return partition(GAPS) + FILE;
    }

    public String snapshotsFile() {
        return partition(SNAPSHOTS) + FILE;
    }

    @Override
    public String toString() {
        return partition(EVENTS);
    }
}
