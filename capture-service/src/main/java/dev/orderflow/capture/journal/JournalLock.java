package dev.orderflow.capture.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * One owner per journal directory: an exclusive lock on {@code <dir>/journal.lock}, held from {@link #acquire} to
 * {@link #close}. The operating system drops the lock when its process ends, however it ends, so a lock is never
 * stale; the file holds the owner's PID for the message another process gets when it is refused. The file itself
 * stays (deleting it would let a second process lock a new file while a third still holds the old one).
 */
public final class JournalLock implements AutoCloseable {
    /** The lock file's name in the journal directory. */
    public static final String FILE = "journal.lock";

    /**
     * Directories locked by this JVM. Checked before a channel is opened: on Linux, closing any channel of a file
     * drops every lock this process holds on it, so a refused second attempt must not open (and close) one.
     */
    private static final Set<Path> HELD = new HashSet<>();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;

    private JournalLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code dir} if needed and takes its lock.
     *
     * @throws IllegalStateException when another process (or another journal of this one) holds it
     */
    public static JournalLock acquire(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        synchronized (HELD) {
            if (HELD.contains(key)) {
                throw refused(dir, ProcessHandle.current().pid() + ", this process");
            }
            try {
                Files.createDirectories(dir);
                FileChannel channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE,
                        StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException sameJvm) {
                    lock = null;
                }
                if (lock == null) {
                    String holder = holder(channel);
                    channel.close();
                    throw refused(dir, holder);
                }
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n")
                        .getBytes(StandardCharsets.US_ASCII)), 0);
                HELD.add(key);
                return new JournalLock(key, channel, lock);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock the journal directory " + dir, e);
            }
        }
    }

    /** The directory this lock holds. */
    public Path dir() {
        return dir;
    }

    /** Releases the lock (the file stays, emptied). */
    @Override
    public void close() {
        synchronized (HELD) {
            if (!channel.isOpen()) {
                return;
            }
            try {
                channel.truncate(0);
                lock.release();
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release the journal directory " + dir, e);
            } finally {
                HELD.remove(dir);
            }
        }
    }

    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(32);
        channel.read(bytes, 0);
        String pid = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII).trim();
        return pid.matches("\\d+") ? pid : null;
    }

    private static IllegalStateException refused(Path dir, String holder) {
        return new IllegalStateException("the journal directory " + dir.toAbsolutePath() + " is in use by another"
                + " capture (" + (holder == null ? "its process id is not known" : "pid " + holder) + "; lock "
                + dir.resolve(FILE).toAbsolutePath() + "): one capture per journal. Stop the other one, or give"
                + " this one a directory of its own (CAPTURE_JOURNAL_DIR)");
    }
}
