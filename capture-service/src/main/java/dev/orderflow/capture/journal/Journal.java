package dev.orderflow.capture.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;

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
 * The durable local journal: every received frame (and every gap record) is appended here before it enters the
 * write path, so that a crash or a DynamoDB outage loses nothing that was received.
 *
 * <p><b>Format.</b> Append-only segment files {@code seg-<number>.journal} in {@code capture.journal.dir}; each
 * record is {@code int length, int crc32(body), body} with body {@code byte type, long receivedMicros, UTF-8 text}.
 * At start a torn or corrupt tail (a record cut by a crash) is detected by its length or CRC and cut off.
 *
 * <p><b>fsync policy.</b> Each record is written to the segment file at once (one {@code write} call, so it is in the
 * operating system's page cache and survives the process being killed, SIGKILL included). The file is forced to
 * disk ({@code fsync}) by a background thread at least every {@code capture.journal.fsync-interval} (default 20 ms)
 * and as soon as {@code capture.journal.fsync-records} (default 1000) records wait, whichever comes first; a segment
 * is also forced when it is closed. So a power loss or kernel crash loses at most the last ~20 ms of frames; a
 * process crash loses nothing. {@code capture.journal.durable.delay} measures received → fsynced per frame.
 *
 * <p><b>Deletion.</b> A closed segment is deleted once every event it holds has been handed to the writer and the
 * writer has confirmed (DynamoDB acknowledged, or rejected as invalid) every job submitted up to then; see
 * {@link #release}. Segments are closed when they reach {@code segment-bytes} or {@code segment-age}.
 *
 * <p><b>Bound.</b> When the backlog (bytes of segments not yet deleted) passes {@code warn-ratio} of
 * {@code max-bytes} a WARN is logged; past {@code max-bytes} new frames are no longer journaled (they still go to
 * the writer, but are then only in memory until stored), counted in {@code capture.journal.unjournaled}, with an
 * ERROR log. Receiving never waits for the disk beyond one buffered write.
 */
@ApplicationScoped
public class Journal {
    /** A received WebSocket text frame. */
    public static final byte FRAME = 1;
    /** A gap record as JSON ({@link dev.orderflow.storage.GapRecord}). */
    public static final byte GAP = 2;

    static final int HEADER = 8;
    static final int BODY_PREFIX = 9;
    static final int MAX_RECORD = 64 << 20;
    private static final String PREFIX = "seg-";
    private static final String SUFFIX = ".journal";

    /** One stored record. */
    public record Entry(byte type, long receivedMicros, String text) {
    }

    private final Path dir;
    private final long fsyncIntervalNanos;
    private final int fsyncRecords;
    private final long segmentBytes;
    private final long segmentAgeNanos;
    private final long maxBytes;
    private final double warnRatio;
    private final Timer durableDelay;
    private final Counter unjournaled;

    /** Closed segments, oldest first, not yet deleted. Guarded by {@code this}. */
    private final Deque<Segment> closed = new ArrayDeque<>();
    private Segment current;
    private long nextNumber;
    /** receivedMicros of records written but not yet forced. Guarded by {@code this}. */
    private long[] unsynced = new long[1024];
    private int unsyncedCount;
    private long backlogBytes;
    private long backlogEvents;
    private boolean warned;
    private long lastOverflowLogNanos;
    private volatile boolean running;
    private Thread flusher;
    private JournalLock lock;

    private static final class Segment {
        final long number;
        final Path path;
        final long openedNanos = System.nanoTime();
        FileChannel channel;
        long bytes;
        long events;
        long maxReceivedMicros = Long.MIN_VALUE;
        /** Receive time of the segment's first frame (frames are appended in receive order). */
        long firstFrameMicros = Long.MAX_VALUE;
        /** The writer job count that must be confirmed before deletion; -1 until the segment is fully handed over. */
        long waitFor = -1;

        Segment(long number, Path path) {
            this.number = number;
            this.path = path;
        }
    }

    @Inject
    public Journal(CaptureConfig config, MeterRegistry registry) {
        this(Path.of(config.journal().dir()), config.journal().fsyncInterval().toNanos(),
                config.journal().fsyncRecords(), config.journal().segmentBytes(),
                config.journal().segmentAge().toNanos(), config.journal().maxBytes(), config.journal().warnRatio(),
                registry);
    }

    public Journal(Path dir, long fsyncIntervalNanos, int fsyncRecords, long segmentBytes, long segmentAgeNanos,
            long maxBytes, double warnRatio, MeterRegistry registry) {
        this.dir = dir;
        this.fsyncIntervalNanos = fsyncIntervalNanos;
        this.fsyncRecords = fsyncRecords;
        this.segmentBytes = segmentBytes;
        this.segmentAgeNanos = segmentAgeNanos;
        this.maxBytes = maxBytes;
        this.warnRatio = warnRatio;
        this.durableDelay = Timer.builder("capture.journal.durable.delay")
                .description("From receiving a frame to its journal record being forced to disk (fsync)")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.unjournaled = Counter.builder("capture.journal.unjournaled")
                .description("Frames not journaled because the journal was at its size bound (kept in memory only)")
                .register(registry);
        Gauge.builder("capture.journal.backlog.bytes", this, Journal::backlogBytes)
                .description("Bytes of journal segments whose events DynamoDB has not confirmed yet")
                .register(registry);
        Gauge.builder("capture.journal.backlog.events", this, Journal::backlogEvents)
                .description("Frames in journal segments whose events DynamoDB has not confirmed yet")
                .register(registry);
        Gauge.builder("capture.journal.oldest.unconfirmed.age", this, Journal::oldestUnconfirmedAgeSeconds)
                .baseUnit("seconds")
                .description("Age of the oldest frame whose journal segment is not yet confirmed by DynamoDB "
                        + "(0 when none; an upper bound, by segment)")
                .register(registry);
    }

    /**
     * Opens the journal: reads every existing segment in order (cutting a torn tail), hands each record to
     * {@code replay}, keeps those segments until their events are confirmed, and starts a new segment.
     */
    public void open(Consumer<Entry> replay) {
        lock = JournalLock.acquire(dir); // one capture per journal directory: refused while another one holds it
        try {
            Files.createDirectories(dir);
            List<Path> files;
            try (Stream<Path> list = Files.list(dir)) {
                files = list.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                        && p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
            }
            long records = 0;
            for (Path file : files) {
                Segment segment = new Segment(number(file), file);
                records += read(segment, replay);
                synchronized (this) {
                    closed.add(segment);
                    backlogBytes += segment.bytes;
                    backlogEvents += segment.events;
                    nextNumber = Math.max(nextNumber, segment.number + 1);
                }
            }
            if (!files.isEmpty()) {
                Log.infof("Journal %s: replayed %d records from %d unconfirmed segment(s)", dir, records,
                        files.size());
            }
            synchronized (this) {
                current = newSegment();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the journal in " + dir, e);
        }
        running = true;
        flusher = new Thread(this::flushLoop, "capture-journal-fsync");
        flusher.setDaemon(true);
        flusher.start();
    }

    /**
     * Appends one record (written to the file at once, forced to disk by the fsync policy). Returns {@code false}
     * when it was not journaled (the journal is past its bound, or not open).
     */
    public synchronized boolean append(byte type, long receivedMicros, String text) {
        if (current == null) {
            return false;
        }
        if (backlogBytes >= maxBytes) {
            overflow();
            return false;
        }
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer body = ByteBuffer.allocate(HEADER + BODY_PREFIX + payload.length);
        body.position(HEADER);
        body.put(type).putLong(receivedMicros).put(payload);
        CRC32 crc = new CRC32();
        crc.update(body.array(), HEADER, BODY_PREFIX + payload.length);
        body.putInt(0, BODY_PREFIX + payload.length).putInt(4, (int) crc.getValue());
        body.flip();
        try {
            if (current.bytes >= segmentBytes) {
                rollSegment();
            }
            while (body.hasRemaining()) {
                current.channel.write(body);
            }
        } catch (IOException e) {
            Log.errorf("Journal write failed (%s); the frame is only in memory", e.toString());
            unjournaled.increment();
            return false;
        }
        int size = HEADER + BODY_PREFIX + payload.length;
        current.bytes += size;
        backlogBytes += size;
        if (type == FRAME) {
            current.events++;
            backlogEvents++;
            current.firstFrameMicros = Math.min(current.firstFrameMicros, receivedMicros);
        }
        current.maxReceivedMicros = Math.max(current.maxReceivedMicros, receivedMicros);
        if (unsyncedCount == unsynced.length) {
            unsynced = java.util.Arrays.copyOf(unsynced, unsynced.length * 2);
        }
        unsynced[unsyncedCount++] = receivedMicros;
        if (unsyncedCount >= fsyncRecords) {
            notifyAll();
        }
        warnNearBound();
        return true;
    }

    /**
     * Deletes what DynamoDB confirmed. A closed segment becomes deletable once every event with a receive time up to
     * its last record has been handed to the writer ({@code oldestPendingReceivedMicros} is later than the segment's
     * last record) and the writer has confirmed the jobs submitted up to that moment ({@code submittedJobs} read
     * after {@code oldestPendingReceivedMicros}; {@code confirmedJobs} counts jobs confirmed in order).
     *
     * <p>Callers must hold the same lock as the receive path between {@link #append} and handing the event to the
     * assembler (see {@link #intakeLock()}), so that no appended event is invisible to both.
     */
    public void release(long oldestPendingReceivedMicros, long submittedJobs, long confirmedJobs) {
        List<Segment> deletable = new ArrayList<>();
        synchronized (this) {
            if (current != null && current.bytes > 0 && System.nanoTime() - current.openedNanos >= segmentAgeNanos) {
                roll();
            }
            for (Segment s : closed) {
                if (s.waitFor < 0 && s.maxReceivedMicros < oldestPendingReceivedMicros) {
                    s.waitFor = submittedJobs;
                }
            }
            while (!closed.isEmpty() && closed.peekFirst().waitFor >= 0
                    && closed.peekFirst().waitFor <= confirmedJobs) {
                Segment s = closed.pollFirst();
                backlogBytes -= s.bytes;
                backlogEvents -= s.events;
                deletable.add(s);
            }
            if (warned && backlogBytes < maxBytes * warnRatio * 0.9) {
                warned = false;
                Log.infof("Journal backlog back to %d bytes", backlogBytes);
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

    /**
     * Reads again, with the start-up reader, the records of every segment that may hold records received between
     * {@code fromMicros} and {@code toMicros} (the current segment is closed first if it may). Used to re-read
     * spilled events; the caller keeps those segments from deletion ({@link #release}'s pending time is at most
     * {@code fromMicros}). Returns the number of records read.
     */
    public long reread(long fromMicros, long toMicros, Consumer<Entry> reader) {
        List<Path> files = new ArrayList<>();
        synchronized (this) {
            if (current != null && current.bytes > 0 && current.maxReceivedMicros >= fromMicros
                    && current.firstFrameMicros <= toMicros) {
                roll();
            }
            for (Segment s : closed) {
                if (s.maxReceivedMicros >= fromMicros && s.firstFrameMicros <= toMicros) {
                    files.add(s.path);
                }
            }
        }
        long records = 0;
        for (Path file : files) {
            try {
                records += read(file, reader);
            } catch (IOException e) {
                Log.errorf("Cannot re-read journal segment %s: %s", file, e.toString());
            }
        }
        return records;
    }

    /** Closes the current segment now (at shutdown, so that a fully confirmed journal can be deleted). */
    public synchronized void roll() {
        if (current != null && current.bytes > 0) {
            try {
                rollSegment();
            } catch (IOException e) {
                Log.errorf("Journal segment roll failed: %s", e.toString());
            }
        }
    }

    /** The lock the receive path holds from {@link #append} until the event is in the assembler. */
    public Object intakeLock() {
        return this;
    }

    /** Forces and closes the current segment and stops the fsync thread; what is not confirmed stays on disk. */
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
            try {
                if (current != null) {
                    force(current.channel);
                    current.channel.close();
                    if (current.bytes == 0) {
                        Files.deleteIfExists(current.path);
                    }
                }
            } catch (IOException e) {
                Log.warnf("Closing the journal: %s", e.toString());
            }
            current = null;
        }
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    public synchronized long backlogBytes() {
        return backlogBytes;
    }

    public synchronized long backlogEvents() {
        return backlogEvents;
    }

    /** Seconds since the oldest frame not yet confirmed was received (by segment), 0 when every frame is confirmed. */
    public synchronized double oldestUnconfirmedAgeSeconds() {
        long oldest = Long.MAX_VALUE;
        for (Segment seg : closed) {
            oldest = Math.min(oldest, seg.firstFrameMicros);
        }
        if (current != null) {
            oldest = Math.min(oldest, current.firstFrameMicros);
        }
        return oldest == Long.MAX_VALUE ? 0 : Math.max(0, Clock.nowMicros() - oldest) / 1e6;
    }

    public Path dir() {
        return dir;
    }

    private void rollSegment() throws IOException {
        force(current.channel);
        current.channel.close();
        closed.add(current);
        current = newSegment();
    }

    private void force(FileChannel channel) throws IOException {
        channel.force(false);
        recordDurable();
    }

    /** Holding the lock: records the durable delay of every record written so far. */
    private void recordDurable() {
        long now = Clock.nowMicros();
        for (int i = 0; i < unsyncedCount; i++) {
            durableDelay.record(Math.max(0, now - unsynced[i]), TimeUnit.MICROSECONDS);
        }
        unsyncedCount = 0;
    }

    private Segment newSegment() throws IOException {
        Path path = dir.resolve(String.format("%s%020d%s", PREFIX, nextNumber, SUFFIX));
        Segment s = new Segment(nextNumber++, path);
        s.channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return s;
    }

    private void flushLoop() {
        while (running) {
            FileChannel channel;
            int count;
            synchronized (this) {
                long waitUntil = System.nanoTime() + fsyncIntervalNanos;
                while (running && unsyncedCount < fsyncRecords && System.nanoTime() < waitUntil) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, waitUntil - System.nanoTime()));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (unsyncedCount == 0 || current == null) {
                    continue;
                }
                channel = current.channel;
                count = unsyncedCount;
            }
            long[] forced;
            try {
                channel.force(false); // outside the lock: appends go on meanwhile
            } catch (ClosedChannelException rolled) {
                continue; // a roll forced it
            } catch (IOException e) {
                Log.errorf("Journal fsync failed: %s", e.toString());
                continue;
            }
            synchronized (this) {
                if (current == null || current.channel != channel) {
                    continue; // rolled meanwhile: the roll forced everything and recorded it
                }
                forced = java.util.Arrays.copyOf(unsynced, count);
                System.arraycopy(unsynced, count, unsynced, 0, unsyncedCount - count);
                unsyncedCount -= count;
            }
            long now = Clock.nowMicros();
            for (long received : forced) {
                durableDelay.record(Math.max(0, now - received), TimeUnit.MICROSECONDS);
            }
        }
    }

    private void warnNearBound() {
        if (!warned && backlogBytes >= maxBytes * warnRatio) {
            warned = true;
            Log.warnf("Journal backlog is %d bytes (%d events), %.0f%% of its bound capture.journal.max-bytes=%d: "
                    + "DynamoDB is not keeping up; past the bound new frames are kept in memory only",
                    backlogBytes, backlogEvents, 100.0 * backlogBytes / maxBytes, maxBytes);
        }
    }

    private void overflow() {
        unjournaled.increment();
        long now = System.nanoTime();
        if (now - lastOverflowLogNanos > TimeUnit.SECONDS.toNanos(10) || lastOverflowLogNanos == 0) {
            lastOverflowLogNanos = now;
            Log.errorf("Journal is full (%d bytes, bound capture.journal.max-bytes=%d): new frames are not journaled "
                    + "and would be lost if the process died before DynamoDB confirms them", backlogBytes, maxBytes);
        }
    }

    /** Reads a segment, handing every intact record to {@code replay}; cuts the file at the first torn record. */
    static long read(Path file, Consumer<Entry> replay) throws IOException {
        Segment s = new Segment(0, file);
        return read(s, replay);
    }

    private static long read(Segment segment, Consumer<Entry> replay) throws IOException {
        long records = 0;
        try (FileChannel ch = FileChannel.open(segment.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long pos = 0;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (pos < size) {
                header.clear();
                if (size - pos < HEADER || readFully(ch, header, pos) < HEADER) {
                    break;
                }
                int length = header.getInt(0);
                int crc = header.getInt(4);
                if (length < BODY_PREFIX || length > MAX_RECORD || pos + HEADER + length > size) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                readFully(ch, body, pos + HEADER);
                CRC32 check = new CRC32();
                check.update(body.array(), 0, length);
                if ((int) check.getValue() != crc) {
                    break;
                }
                byte type = body.get(0);
                long received = body.getLong(1);
                String text = new String(body.array(), BODY_PREFIX, length - BODY_PREFIX, StandardCharsets.UTF_8);
                replay.accept(new Entry(type, received, text));
                records++;
                if (type == FRAME) {
                    segment.events++;
                    segment.firstFrameMicros = Math.min(segment.firstFrameMicros, received);
                }
                segment.maxReceivedMicros = Math.max(segment.maxReceivedMicros, received);
                pos += HEADER + length;
            }
            if (pos < size) {
                Log.warnf("Journal segment %s: cut a torn or corrupt tail of %d bytes at offset %d (a record the "
                        + "process was writing when it died)", segment.path.getFileName(), size - pos, pos);
                ch.truncate(pos);
                ch.force(true);
            }
            segment.bytes = pos;
        }
        return records;
    }

    private static int readFully(FileChannel ch, ByteBuffer buffer, long position) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static long number(Path file) {
        String name = file.getFileName().toString();
        return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
    }
}
