package dev.orderflow.pipeline.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.orderflow.storage.SnapshotMeta;
import dev.orderflow.storage.book.Verdict;

/**
 * {@code book_certified_ratio}: of the snapshots a capture stored after its first one, the share whose predecessor's
 * rebuild matched them exactly (verdict {@code certified}). Waits, with a bound, until the capture has given a verdict
 * to every snapshot stamped before the channel's confirmed writes.
 */
final class CertifiedRatio {
    private CertifiedRatio() {
    }

    static double await(Tables tables, String table, String pair, Duration timeout, PrintStream progress)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long confirmed = tables.confirmedUntil(table, pair);
            List<SnapshotMeta> metas = tables.snapshotMetas(table, pair).stream()
                    .filter(m -> m.microtimestamp() < confirmed).toList();
            boolean done = metas.size() >= 2 && metas.stream().allMatch(m -> m.verdict() != null);
            if (done || System.nanoTime() > deadline) {
                return ratio(metas, done, progress);
            }
            Thread.sleep(500);
        }
    }

    private static double ratio(List<SnapshotMeta> metas, boolean done, PrintStream progress) {
        Map<String, Integer> verdicts = new TreeMap<>();
        int certified = 0;
        for (SnapshotMeta m : metas.subList(Math.min(1, metas.size()), metas.size())) {
            String status = m.verdict() == null ? "none yet" : m.verdict().status().apiName();
            verdicts.merge(status, 1, Integer::sum);
            certified += m.verdict() != null && m.verdict().status() == Verdict.Status.CERTIFIED ? 1 : 0;
            if (m.verdict() != null && !m.verdict().certified()) {
                progress.printf("bench: snapshot at %d: %s%n", m.microtimestamp(), m.verdict());
            }
        }
        progress.printf("bench: %d snapshots; verdicts after the first: %s%s%n", metas.size(), verdicts,
                done ? "" : " (not all checked in time)");
        int checked = metas.size() - 1;
        if (checked <= 0) {
            throw new IllegalStateException("no snapshot to certify: the capture stored " + metas.size()
                    + " before its confirmed writes, and the ratio needs at least two");
        }
        return (double) certified / checked;
    }
}
