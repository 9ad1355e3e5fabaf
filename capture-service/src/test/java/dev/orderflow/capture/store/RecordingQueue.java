package dev.orderflow.capture.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.orderflow.capture.TestDirs;
import dev.orderflow.capture.journal.Journal;
import dev.orderflow.capture.journal.SegmentFiles;
import dev.orderflow.storage.BadFrameItems;
import dev.orderflow.storage.CapturedEvent;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.GapItems;
import io.micrometer.core.instrument.MeterRegistry;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The write path up to the writer, for tests of the protocol step: a real journal in a temporary directory, the
 * window step, and the intake; what the writer would be handed is collected here instead.
 */
public class RecordingQueue {
    public final Journal journal;
    public final Windows windows;
    public final Intake intake;
    private final List<Job.Window> jobs = new ArrayList<>();
    private final List<Map<String, AttributeValue>> keptAside = new ArrayList<>();

    public RecordingQueue(MeterRegistry registry) {
        this(registry, 1L << 30, 1L << 30);
    }

    /** With the journal's disk bound and the window step's memory bound given. */
    public RecordingQueue(MeterRegistry registry, long journalMaxBytes, long maxHeldBytes) {
        try {
            Path dir = TestDirs.create("journal-test");
            journal = new Journal(dir, SegmentFiles.DISK, 20_000_000, 1000, 1 << 20, 1_000_000_000, journalMaxBytes,
                    registry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        journal.open(e -> {
        });
        windows = new Windows(300_000, maxHeldBytes, registry);
        intake = new Intake(journal, windows);
    }

    /** Seals every window and takes what the writer would be handed, as if DynamoDB stored it at once. */
    public RecordingQueue drain() {
        windows.sealAll();
        try {
            for (Job job; (job = windows.take(0)) != null; ) {
                windows.stored(job);
                if (job instanceof Job.Window w) {
                    jobs.add(w);
                } else if (job instanceof Job.Gap g) {
                    keptAside.add(GapItems.toItem(g.gap()));
                } else if (job instanceof Job.Bad b) {
                    keptAside.addAll(BadFrameItems.badFrameItems(b.receivedMicros(),
                            new String(b.raw(), java.nio.charset.StandardCharsets.UTF_8), b.reason()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    public List<Job.Window> jobs() {
        return drain().jobs;
    }

    public List<Map<String, AttributeValue>> keptAside() {
        return drain().keptAside;
    }

    /** The events of every sealed window, parsed, in window then arrival order. */
    public List<CapturedEvent> events() {
        List<CapturedEvent> events = new ArrayList<>();
        for (Job.Window w : jobs()) {
            for (Held h : w.events()) {
                try {
                    events.add(new CapturedEvent(h.microtimestamp(), h.receivedMicros(),
                            Frames.parse(new String(h.frame(), java.nio.charset.StandardCharsets.UTF_8))));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return events;
    }
}
