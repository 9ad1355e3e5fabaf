package dev.orderflow.query.book;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.query.api.Times;
import dev.orderflow.query.coverage.Coverage;
import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.book.Verdict;

/**
 * Whether the stretch a book was rebuilt over (from its snapshot to the next one) is proven: {@code certified} when
 * the next snapshot equals the rebuild there, {@code contradicted} when it does not (the differences come with it),
 * {@code not_checked} when no later snapshot has been checked against this one yet.
 *
 * @param by the later snapshot whose check this is, or {@code null}
 */
public record Certificate(Verdict.Status status, SnapshotMeta by, String detail) {
    public static final String CONTRADICTED = "contradicted";
    private static final int LOOK_AHEAD = 5;

    /** The certificate of the stretch that starts at the snapshot stamped {@code fromMicros}. */
    static Certificate of(SnapshotStore snapshots, String pair, long fromMicros) {
        List<SnapshotMeta> after = snapshots.metas(pair, fromMicros + 1, Times.MAX_MICROS, LOOK_AHEAD);
        for (SnapshotMeta meta : after) {
            Verdict v = meta.verdict();
            if (v == null) {
                return new Certificate(Verdict.Status.NOT_CHECKED, meta, "the next snapshot is not checked yet");
            }
            if (v.againstMicros() != null && v.againstMicros() == fromMicros) {
                return new Certificate(v.status(), meta, v.detail());
            }
        }
        return new Certificate(Verdict.Status.NOT_CHECKED, null, after.isEmpty()
                ? "no later snapshot with its metadata is stored yet"
                : "no later snapshot was checked against this one");
    }

    /** The coverage, with {@code complete:false} and the reason {@code contradicted} when the check failed. */
    Coverage contradicts(Coverage cover) {
        if (status != Verdict.Status.CONTRADICTED) {
            return cover;
        }
        List<String> reasons = new ArrayList<>(cover.reasons());
        reasons.add(CONTRADICTED);
        return new Coverage(cover.pair(), cover.channel(), cover.fromMicros(), cover.toMicros(), false,
                cover.confirmedUntilMicros(), List.copyOf(reasons), cover.gaps(), cover.gapsTruncated());
    }

    /** The {@code certification} object of a book's coverage. */
    void write(ObjectNode into) {
        into.put("status", status.apiName());
        if (by == null) {
            into.putNull("snapshot_microtimestamp");
            into.putNull("snapshot_time");
        } else {
            into.put("snapshot_microtimestamp", by.microtimestamp());
            into.put("snapshot_time", Times.iso(by.microtimestamp()));
        }
        into.put("detail", detail);
        Verdict v = by == null ? null : by.verdict();
        if (v != null && v.againstMicros() != null) {
            writeCounts(into, v);
        }
    }

    /** The counts and differences of a verdict (here and in {@code /v1/book/snapshots}). */
    static void writeCounts(ObjectNode into, Verdict v) {
        into.put("missing", v.missing());
        into.put("extra", v.extra());
        into.put("differing", v.differing());
        into.put("queue_levels", v.queueLevels());
        into.put("events_applied", v.eventsApplied());
        into.set("differences", v.differencesJson());
    }
}
