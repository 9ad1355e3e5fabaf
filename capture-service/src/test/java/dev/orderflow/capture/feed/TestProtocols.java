package dev.orderflow.capture.feed;

import java.nio.file.Path;

import dev.orderflow.capture.journal.Journal;
import dev.orderflow.capture.store.WindowAssembler;
import dev.orderflow.capture.store.WriteQueue;
import io.micrometer.core.instrument.MeterRegistry;

/** The protocol as the service wires it, with a journal that is not opened (so appends are no-ops). */
final class TestProtocols {
    private TestProtocols() {
    }

    static BitstampProtocol create(WindowAssembler assembler, WriteQueue queue, long badFrameLogNanos,
            MeterRegistry registry) {
        Journal journal = unopenedJournal(registry);
        return new BitstampProtocol(assembler, new BadFrames(registry, queue, badFrameLogNanos),
                new Continuity(journal, queue, registry), journal, registry);
    }

    static Journal unopenedJournal(MeterRegistry registry) {
        return new Journal(Path.of("target/unused-journal"), 20_000_000, 1000, 1 << 20, 1_000_000_000, 1L << 30, 0.8,
                registry);
    }
}
