package dev.orderflow.archive;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.storage.Channel;
import dev.orderflow.storage.CoverageRule;
import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapRecord;
import dev.orderflow.storage.SnapshotRecord;
import dev.orderflow.storage.TableLayout;

/**
 * Archives one hour of one pair and channel: reads its stored windows with storage's codec, writes its events file,
 * its coverage (the events file's metadata, a {@code _coverage.json} manifest beside it and a one-row file under
 * {@code coverage/}) and, when it has any, its gaps file and (orders) its snapshots file; the manifest last. A file
 * whose bytes would not change is not written again, so re-archiving after late data rewrites exactly the hours whose
 * content changed, and two archivers of the same hour write the same bytes (the manifest's settled mark aside).
 */
public final class HourArchiver {
    /** Key-value metadata keys of an events file. */
    public static final String META_SCHEMA_VERSION = "orderflow.schema_version";
    public static final String META_COMPLETE = "orderflow.complete";
    public static final String META_COVERAGE = "orderflow.coverage";
    /** Key-value metadata keys of a snapshots file. */
    public static final String META_SNAPSHOTS = "orderflow.snapshots";
    public static final String META_SNAPSHOTS_MISSING_PARTS = "orderflow.snapshots_missing_parts";
    public static final String META_SNAPSHOT_ROWS_UNREADABLE = "orderflow.snapshot_rows_unreadable";
    /** The manifest's mark of an hour archived sealed after its settling time. */
    private static final String SETTLED_MARK = "settled";
    private static final DateTimeFormatter ISO_MICROS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final TableSource table;
    private final ArchiveTarget target;

    public HourArchiver(TableSource table, ArchiveTarget target) {
        this.table = table;
        this.target = target;
    }

    /** What archiving an hour did. */
    public record Result(Hour hour, long events, boolean complete, int filesWritten, long eventsFileBytes) {
    }

    /** What the archive holds of an hour, by its manifest ({@code _coverage.json}). */
    enum Archived {
        /** no manifest, one that is not this hour's coverage, or the hour archived before it was sealed */
        UNSEALED,
        /** archived sealed, not settled ({@link Archiver#SETTLE_AFTER}) */
        SEALED,
        /** archived sealed after its settling time */
        SETTLED
    }

    /** What the archive holds of {@code hour}; a failure to read the manifest is the pass's (it is not guessed). */
    Archived archived(Hour hour) {
        byte[] manifest = target.read(hour.coverageFile());
        if (manifest == null) {
            return Archived.UNSEALED;
        }
        JsonNode coverage;
        try {
            coverage = Frames.MAPPER.readTree(manifest);
        } catch (java.io.IOException unreadable) {
            return Archived.UNSEALED;
        }
        JsonNode reasons = coverage == null ? null : coverage.get("reasons");
        if (reasons == null || !reasons.isArray() || coverage.path("to_microtimestamp").asLong() != hour.endMicros()) {
            return Archived.UNSEALED;
        }
        for (JsonNode reason : reasons) {
            if (CoverageRule.AFTER_CONFIRMED_WRITES.equals(reason.asText())) {
                return Archived.UNSEALED;
            }
        }
        return coverage.path(SETTLED_MARK).asBoolean(false) ? Archived.SETTLED : Archived.SEALED;
    }

    /**
     * @param entry the catalog entry of the hour's pair and channel: its first stored event and confirmed watermark
     *              decide the hour's coverage as the API decides a range's
     */
    public Result archive(Hour hour, TableSource.Entry entry) {
        return archive(hour, entry, false);
    }

    /**
     * As {@link #archive(Hour, TableSource.Entry)}; with {@code markSettled}, the manifest says {@code "settled": true}
     * (only the manifest: the events file and the coverage row do not change when an hour settles).
     */
    Result archive(Hour hour, TableSource.Entry entry, boolean markSettled) {
        // an hour read before its settling time may have been sealed a moment ago: its last writes, acknowledged
        // before the watermark passed it, are read consistently (CoverageRule); a settling read, hours later, need not
        boolean consistent = CoverageRule.CONSISTENT_READS && !markSettled;
        EventRow row = new EventRow();
        EventMapper mapper = new EventMapper(hour.channel());
        long[] events = {0};
        int[] unreadable = {0};
        byte[] eventsFile;
        try (ParquetBytes file = new ParquetBytes(EventSchema.SCHEMA, EventSchema.NO_MIN_MAX,
                EventSchema.NO_DICTIONARY, EventSchema.PREFIX_STRINGS)) {
            table.chunks(hour, consistent, item -> {
                try {
                    EventView.Events chunk = TableLayout.viewItem(item)
                            .orElseThrow(() -> new IllegalStateException("the item holds no event chunk"));
                    while (chunk.next()) {
                        EventView event = chunk.event();
                        if (event.microtimestamp() >= hour.startMicros() && event.microtimestamp() < hour.endMicros()) {
                            mapper.fill(event, row);
                            file.write(row.values);
                            events[0]++;
                        }
                    }
                } catch (ParquetBytes.Failed writing) {
                    throw writing; // not the chunk's fault: nothing of the hour is written
                } catch (RuntimeException damaged) {
                    // as in the API: the events read before the damage stay; the hour is not complete
                    unreadable[0]++;
                }
            });
            List<GapRecord> gaps = table.gaps(hour, entry, consistent);
            ObjectNode coverage = coverage(hour, entry, gaps, events[0], unreadable[0], row.decimalsNotFitting());
            eventsFile = file.finish(Map.of(
                    META_SCHEMA_VERSION, Integer.toString(EventSchema.VERSION),
                    META_COMPLETE, Boolean.toString(coverage.get("complete").booleanValue()),
                    META_COVERAGE, Frames.toJson(coverage)));
            Writes writes = new Writes(hour);
            writes.store(hour.eventsFile(), eventsFile);
            try (ParquetBytes coverageFile = new ParquetBytes(CoverageSchema.SCHEMA)) {
                coverageFile.write(CoverageSchema.row(coverage));
                writes.store(hour.coverageRowFile(), coverageFile.finish(Map.of(
                        META_SCHEMA_VERSION, Integer.toString(EventSchema.VERSION))));
            }
            if (gaps.isEmpty()) {
                writes.remove(hour.gapsFile());
            } else {
                try (ParquetBytes gapsFile = new ParquetBytes(GapSchema.SCHEMA)) {
                    gaps.forEach(gap -> gapsFile.write(GapSchema.row(gap)));
                    writes.store(hour.gapsFile(), gapsFile.finish(Map.of(
                            META_SCHEMA_VERSION, Integer.toString(EventSchema.VERSION))));
                }
            }
            if (hour.channel() == Channel.ORDERS) {
                snapshots(hour, writes);
            }
            ObjectNode manifest = coverage.deepCopy();
            if (markSettled) {
                manifest.put(SETTLED_MARK, true);
            }
            writes.manifest((Frames.toJson(manifest) + "\n").getBytes(StandardCharsets.UTF_8));
            return new Result(hour, events[0], coverage.get("complete").booleanValue(), writes.written,
                    eventsFile.length);
        }
    }

    /**
     * The writes of one hour's archive. The manifest comes last and says the hour is archived ({@link #archived}), so
     * a pass that fails before it is repeated; and before the first file of an already archived hour changes, its
     * manifest goes, so that an archive failing half-way through a rewrite (late data, a backfill) leaves the hour
     * due again, never a manifest that describes other files. Files that would not change are not written again,
     * and files that are not there are not deleted (in a versioned bucket each delete leaves a marker).
     */
    private final class Writes {
        private final Hour hour;
        private final byte[] manifestBefore;
        private boolean manifestGone;
        int written;

        Writes(Hour hour) {
            this.hour = hour;
            this.manifestBefore = target.read(hour.coverageFile());
        }

        void store(String key, byte[] bytes) {
            if (Arrays.equals(target.read(key), bytes)) {
                return;
            }
            beforeChange();
            target.put(key, bytes);
            written++;
        }

        void remove(String key) {
            if (target.read(key) == null) {
                return;
            }
            beforeChange();
            target.delete(key);
        }

        void manifest(byte[] bytes) {
            if (!manifestGone && Arrays.equals(manifestBefore, bytes)) {
                return;
            }
            target.put(hour.coverageFile(), bytes);
            written++;
        }

        private void beforeChange() {
            if (manifestBefore != null && !manifestGone) {
                target.delete(hour.coverageFile());
                manifestGone = true;
            }
        }
    }

    /**
     * The hour's snapshots file (orders hours only: their events rebuild books from it), or none when no snapshot
     * was stored in the hour. Its metadata counts the snapshots, those left out for a missing part, and entries
     * that were not {@code [price, amount, id]}.
     */
    private void snapshots(Hour hour, Writes writes) {
        int[] missingParts = {0};
        List<SnapshotRecord> snapshots = table.snapshots(hour, missingParts);
        if (snapshots.isEmpty()) {
            writes.remove(hour.snapshotsFile());
            return;
        }
        int unreadable = 0;
        try (ParquetBytes file = new ParquetBytes(SnapshotSchema.SCHEMA)) {
            for (SnapshotRecord snapshot : snapshots) {
                SnapshotSchema.Rows rows = SnapshotSchema.rows(snapshot);
                rows.rows().forEach(file::write);
                unreadable += rows.unreadable();
            }
            writes.store(hour.snapshotsFile(), file.finish(Map.of(
                    META_SCHEMA_VERSION, Integer.toString(EventSchema.VERSION),
                    META_SNAPSHOTS, Integer.toString(snapshots.size()),
                    META_SNAPSHOTS_MISSING_PARTS, Integer.toString(missingParts[0]),
                    META_SNAPSHOT_ROWS_UNREADABLE, Integer.toString(unreadable))));
        }
    }

    /**
     * The hour's coverage, decided as {@code /v1/events} decides a range's: complete unless a gap record touches
     * it, it reaches past the confirmed writes, it starts before the first stored event, or a chunk could not be
     * read. Only the hour's own facts go in (not the watermark itself), so the manifest changes only when they do.
     */
    static ObjectNode coverage(Hour hour, TableSource.Entry entry, List<GapRecord> gaps, long events, int unreadable,
            long decimalsNotFitting) {
        List<String> reasons = CoverageRule.reasons(hour.startMicros(), hour.endMicros(), !gaps.isEmpty(),
                entry.confirmedUntilMicros(), entry.firstMicros(), unreadable);
        ObjectNode node = Frames.MAPPER.createObjectNode();
        node.put("schema_version", EventSchema.VERSION);
        node.put("pair", hour.pair());
        node.put("channel", hour.channel().apiName());
        node.put("from", ISO_MICROS.format(instant(hour.startMicros())));
        node.put("to", ISO_MICROS.format(instant(hour.endMicros())));
        node.put("from_microtimestamp", hour.startMicros());
        node.put("to_microtimestamp", hour.endMicros());
        node.put("complete", reasons.isEmpty());
        ArrayNode reasonList = node.putArray("reasons");
        reasons.forEach(reasonList::add);
        node.put("events", events);
        node.put("unreadable_chunks", unreadable);
        node.put("decimals_not_fitting", decimalsNotFitting);
        ArrayNode gapList = node.putArray("gaps");
        for (GapRecord gap : gaps) {
            ObjectNode g = gapList.addObject();
            g.put("kind", gap.kind().apiName());
            g.put("from_microtimestamp", gap.fromMicros());
            g.put("to_microtimestamp", gap.toMicros());
            putIfPresent(g, "last_event_id", gap.lastEventId());
            putIfPresent(g, "first_event_id_after", gap.firstEventIdAfter());
            putIfPresent(g, "expected_pre_event_id", gap.expectedPreEventId());
            putIfPresent(g, "detail", gap.detail());
        }
        return node;
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(name, value);
        }
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
