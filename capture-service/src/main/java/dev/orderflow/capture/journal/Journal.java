package dev.orderflow.capture.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.orderflow.capture.CaptureConfig;
import dev.orderflow.capture.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;

/**
 * The durable local journal, the capture's single source of truth: every record the protocol step makes (an event,
 * a bad frame, a gap record, a subscription) is appended here before anything else sees it, and gets a position
 * ({@code seq}, one more than the record before). Everything downstream confirms by position: a segment file is
 * deleted only when every record in it lies below {@link #release}'s position, the lowest position DynamoDB has
 * not stored yet.
 *
 * <p><b>Format.</b> Append-only segment files {@code seg-<number>.journal} of records ({@link Segment}). At open a torn
 * or corrupt tail is cut off, and unreadable bytes with good records after them are taken out and kept aside
 * ({@link SegmentRecovery}, {@link SegmentRepair}; {@link #UNREADABLE} tells the scan where). A write that fails
 * part-way (a full disk) is cut back, so the records after it stay readable, and the next record goes to a new
 * segment.
 *
 * <p><b>fsync policy.</b> Each record is written to the file at once (it survives a SIGKILL of the process); a
 * background thread forces the file to disk at least every {@code fsync-interval} and as soon as
 * {@code fsync-records} records wait. A failed {@code fsync} is counted and the segment closed; its records stay
 * in the write path.
 *
 * <p><b>Bound.</b> Past {@code max-bytes} of undeleted segments, events and bad frames are no longer journaled
 * ({@link #append} answers -1, counted in {@code capture.journal.unjournaled}); gap and control records, which are
 * tiny, always are.
 */
@ApplicationScoped
public class Journal {
    /** A received frame as text (journals written before record types existed). */
    public static final byte FRAME = 1;
    /** A gap record as JSON. */
    public static final byte GAP = 2;
    /** An exchange event: see {@link Records#event}. */
    public static final byte EVENT = 3;
    /** A frame the capture cannot use: see {@link Records#bad}. */
    public static final byte BAD = 4;
    /** A control frame (a subscription acknowledgement) as text. */
    public static final byte CONTROL = 5;
    /**
     * Never written: handed to {@link #open}'s {@code scan} where a segment held bytes that could not be read, before
     * the record after them; its time is one before which none of the lost records was received (see
     * {@link SegmentRepair}), its payload the number of bytes taken out (a {@code long}).
     */
    public static final byte UNREADABLE = 6;

    private static final String PREFIX = "seg-";
    private static final String SUFFIX = ".journal";

    /** One record and its position. */
    public record Entry(long seq, byte type, long receivedMicros, byte[] payload) {
    }

    private final Path dir;
    private final SegmentFiles files;
    private final long fsyncIntervalNanos;
    private final int fsyncRecords;
    private final long segmentBytes;
    private final long segmentAgeNanos;
    private final long maxBytes;
    private final Counter unjournaled;
    private final SegmentRecovery recovery;
    private final MeterRegistry registry;

    /** Every segment not yet deleted, oldest first; the last one is {@link #current} while it is open. */
    private final List<Segment> segments = new ArrayList<>();
    private Segment current;
    private long nextNumber;
    private long nextSeq;
    /** Records written and not yet forced to disk (guarded by this journal's lock). */
    private final Unsynced unsynced;
    private long backlogBytes;
    private long lastOverflowLogNanos;
    private volatile boolean running;
    private Thread flusher;
    private JournalLock lock;

    @Inject
    public Journal(CaptureConfig config, MeterRegistry registry) {
        this(Path.of(config.journal().dir()), SegmentFiles.DISK, config.journal().fsyncInterval().toNanos(),
                config.journal().fsyncRecords(), config.journal().segmentBytes(),
                config.journal().segmentAge().toNanos(), config.journal().maxBytes(), registry);
    }

    public Journal(Path dir, SegmentFiles files, long fsyncIntervalNanos, int fsyncRecords, long segmentBytes,
            long segmentAgeNanos, long maxBytes, MeterRegistry registry) {
        this.dir = dir;
        this.files = files;
        this.fsyncIntervalNanos = fsyncIntervalNanos;
        this.fsyncRecords = fsyncRecords;
        this.segmentBytes = segmentBytes;
        this.segmentAgeNanos = segmentAgeNanos;
        this.maxBytes = maxBytes;
        this.registry = registry;
        this.unsynced = new Unsynced(Timer.builder("capture.journal.durable.delay")
                .description("From receiving a frame to its journal record being forced to disk (fsync)")
                .publishPercentiles(0.5, 0.99).register(registry));
        this.unjournaled = Counter.builder("capture.journal.unjournaled")
                .description("Records not journaled: the journal was at its bound or its disk failed").register(registry);
        this.recovery = new SegmentRecovery(segmentAgeNanos / 1000,
                Counter.builder("capture.journal.unreadable.bytes").baseUnit("bytes").description(
                        "Bytes of journal segments that could not be read at start (a damaged disk), kept aside")
                        .register(registry));
        for (String op : List.of("write", "fsync", "open")) {
            registry.counter("capture.journal.errors", "op", op);
        }
        Gauge.builder("capture.journal.backlog.bytes", this, Journal::backlogBytes)
                .description("Bytes of journal segments not yet deleted (not every record in them is stored)")
                .register(registry);
        Gauge.builder("capture.journal.backlog.events", this, Journal::backlogRecords)
                .description("Records in journal segments not yet deleted").register(registry);
        Gauge.builder("capture.journal.oldest.unconfirmed.age", this, Journal::oldestUnconfirmedAgeSeconds)
                .baseUnit("seconds")
                .description("Age of the oldest record in a segment not yet deleted (an upper bound, by segment)")
                .register(registry);
    }

    /**
     * Takes the directory (refusing one another live process holds), reads every existing segment in order (cutting
     * a torn tail) handing each record to {@code scan}, and starts a new segment. Returns the position of the first
     * record kept from an earlier run (equal to {@link #nextSeq()} when there is none).
     */
    public long open(Consumer<Entry> scan) {
        try {
            Files.createDirectories(dir);
            lock = JournalLock.acquire(dir);
            List<Path> found;
            try (Stream<Path> list = Files.list(dir)) {
                found = list.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                        && p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
            }
            long lastReceived = Long.MIN_VALUE;
            for (Path file : found) {
                Segment segment = new Segment(number(file), file, nextSeq);
                lastReceived = recovery.read(segment, lastReceived, scan);
                synchronized (this) {
                    segments.add(segment);
                    backlogBytes += segment.bytes;
                    nextSeq = segment.endSeq();
                    nextNumber = Math.max(nextNumber, segment.number + 1);
                }
            }
            if (!found.isEmpty()) {
                Log.infof("Journal %s: %d records in %d segment(s) from an earlier run", dir, nextSeq, found.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the journal in " + dir, e);
        }
        synchronized (this) {
            startSegment();
        }
        running = true;
        flusher = new Thread(this::flushLoop, "capture-journal-fsync");
        flusher.setDaemon(true);
        flusher.start();
        return 0;
    }

    /**
     * Appends one record, written to the file at once and forced by the fsync policy. Returns its position, or -1
     * when it was not journaled (events and bad frames past the bound, or the disk failed).
     */
    public synchronized long append(byte type, long receivedMicros, byte[] payload) {
        boolean small = type == GAP || type == CONTROL;
        if (!small && backlogBytes >= maxBytes) {
            overflow();
            return -1;
        }
        if (current == null || current.bytes >= segmentBytes) {
            rollOrStart();
        }
        if (current == null) {
            unjournaled.increment();
            return -1;
        }
        ByteBuffer record = Segment.record(type, receivedMicros, payload);
        int size = record.remaining();
        try {
            current.out.write(record);
        } catch (IOException e) {
            error("write", e);
            try {
                current.out.truncate(current.bytes); // the records after it must stay readable
            } catch (IOException cut) {
                error("write", cut);
            }
            closeCurrent(); // the next record goes to a new segment
            unjournaled.increment();
            return -1;
        }
        current.bytes += size;
        current.records++;
        current.firstReceivedMicros = Math.min(current.firstReceivedMicros, receivedMicros);
        backlogBytes += size;
        unsynced.add(receivedMicros);
        if (unsynced.count() >= fsyncRecords) {
            notifyAll();
        }
        return nextSeq++;
    }

    /** The position the next record will get. */
    public synchronized long nextSeq() {
        return nextSeq;
    }

    /**
     * Reads records at positions {@code fromSeq} and after, in order, until about {@code maxBytes} of payload were
     * read or the journal's end; returns the position after the last record read.
     */
    public long read(long fromSeq, long maxBytes, Consumer<Entry> reader) {
        List<Segment> chosen = new ArrayList<>();
        synchronized (this) {
            for (Segment s : segments) {
                if (s.endSeq() > fromSeq) {
                    chosen.add(s);
                }
            }
        }
        long seq = fromSeq;
        long budget = maxBytes;
        for (Segment s : chosen) {
            if (budget <= 0) {
                break;
            }
            long[] left = {budget};
            long[] next = {Math.max(seq, s.firstSeq)};
            // Resume where the last read of this segment stopped, instead of scanning it from its start again.
            long[] from = s.resumeSeq == next[0] ? new long[] {s.resumePos, s.resumeSeq} : new long[] {0, s.firstSeq};
            try {
                long[] stopped = s.read(from[0], from[1], s.endSeq(), false, e -> {
                    if (e.seq() < next[0]) {
                        return true;
                    }
                    if (left[0] <= 0) {
                        return false; // the budget is spent: this record is the next read's first
                    }
                    reader.accept(e);
                    left[0] -= e.payload().length + Segment.BODY_PREFIX;
                    next[0] = e.seq() + 1;
                    return true;
                });
                s.resumePos = stopped[0];
                s.resumeSeq = stopped[1];
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read journal segment " + s.path, e);
            }
            seq = next[0];
            budget = left[0];
        }
        return seq;
    }

    /** Deletes every closed segment whose records all lie below {@code storedBelowSeq}; rolls an old open segment. */
    public void release(long storedBelowSeq) {
        List<Segment> deletable = new ArrayList<>();
        synchronized (this) {
            if (current != null && current.records > 0 && System.nanoTime() - current.openedNanos >= segmentAgeNanos) {
                rollOrStart();
            }
            while (!segments.isEmpty() && segments.get(0) != current && segments.get(0).endSeq() <= storedBelowSeq) {
                Segment s = segments.remove(0);
                backlogBytes -= s.bytes;
                deletable.add(s);
            }
        }
        for (Segment s : deletable) {
            try {
                Files.deleteIfExists(s.path);
            } catch (IOException e) {
                Log.warnf("Cannot delete journal segment %s: %s", s.path, e.toString());
            }
        }
    }

    /** Closes the open segment now (at shutdown, so that a fully stored journal can be deleted). */
    public synchronized void roll() {
        if (current != null && current.records > 0) {
            rollOrStart();
        }
    }

    /** Forces and closes the open segment, stops the fsync thread and frees the directory. */
    public void close() {
        running = false;
        synchronized (this) {
            notifyAll();
        }
        if (flusher != null) {
            try {
                flusher.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            closeCurrent();
            segments.removeIf(s -> {
                if (s.records == 0) {
                    deleteQuietly(s.path);
                    return true;
                }
                return false;
            });
        }
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    public synchronized long backlogBytes() {
        return backlogBytes;
    }

    public synchronized long backlogRecords() {
        long records = 0;
        for (Segment s : segments) {
            records += s.records;
        }
        return records;
    }

    public synchronized double oldestUnconfirmedAgeSeconds() {
        long oldest = Long.MAX_VALUE;
        for (Segment s : segments) {
            oldest = Math.min(oldest, s.firstReceivedMicros);
        }
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, Clock.nowMicros() - oldest) / 1e6;
    }

    public Path dir() {
        return dir;
    }

    /** Holding the lock: closes the open segment (forcing it) and starts a new one. */
    private void rollOrStart() {
        closeCurrent();
        startSegment();
    }

    private void closeCurrent() {
        if (current == null) {
            return;
        }
        try {
            current.out.force();
            unsynced.durable(unsynced.count());
        } catch (IOException e) {
            error("fsync", e);
            // not known to be durable: not measured as such, and not left for the next segment's fsync to count
            // (nor to keep the fsync thread from waiting while no segment is open)
            unsynced.clear();
        }
        try {
            current.out.close();
        } catch (IOException e) {
            Log.warnf("Closing journal segment %s: %s", current.path, e.toString());
        }
        current = null;
    }

    /** Holding the lock: opens a new segment; on failure {@link #current} stays null and the next append tries again. */
    private void startSegment() {
        Path path = dir.resolve(String.format(Locale.ROOT, "%s%020d%s", PREFIX, nextNumber, SUFFIX));
        try {
            Segment s = new Segment(nextNumber, path, nextSeq);
            s.out = files.create(path);
            nextNumber++;
            segments.add(s);
            current = s;
        } catch (IOException e) {
            nextNumber++;
            error("open", e);
        }
    }

    private void flushLoop() {
        while (running) {
            SegmentFiles.Appender out;
            int count;
            synchronized (this) {
                long waitUntil = System.nanoTime() + fsyncIntervalNanos;
                while (running && unsynced.count() < fsyncRecords && System.nanoTime() < waitUntil) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, waitUntil - System.nanoTime()));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (unsynced.count() == 0 || current == null) {
                    continue;
                }
                out = current.out;
                count = unsynced.count();
            }
            IOException failed = null;
            try {
                out.force(); // outside the lock: appends go on meanwhile
            } catch (IOException e) {
                failed = e;
            }
            synchronized (this) {
                if (current == null || current.out != out) {
                    continue; // closed meanwhile: closing forced it and recorded the delays
                }
                if (failed != null) {
                    error("fsync", failed);
                    closeCurrent(); // its records stay in the write path; new ones go to a new segment
                    continue;
                }
                unsynced.durable(count);
            }
        }
    }

    private void error(String op, IOException e) {
        registry.counter("capture.journal.errors", "op", op).increment();
        Log.errorf("Journal %s failed in %s: %s", op, dir, e.toString());
    }

    private void overflow() {
        unjournaled.increment();
        long now = System.nanoTime();
        if (lastOverflowLogNanos == 0 || now - lastOverflowLogNanos > TimeUnit.SECONDS.toNanos(10)) {
            lastOverflowLogNanos = now;
            Log.errorf("Journal is full (%d bytes, bound capture.journal.max-bytes=%d): new frames are kept in memory "
                    + "only while it has room, and recorded as a not_kept gap when it has none", backlogBytes, maxBytes);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Log.warnf("Cannot delete journal segment %s: %s", path, e.toString());
        }
    }

    private static long number(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
    }
}
