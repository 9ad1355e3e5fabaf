package dev.orderflow.capture.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One owner per journal directory: an exclusive lock on {@code journal.lock} in it, held while the journal is open.
 * A second capture (or an orphan of an earlier run) on the same directory is refused instead of writing beside it.
 */
public final class JournalLock implements AutoCloseable {
    static final String FILE = "journal.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private JournalLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the directory, or throws {@link IllegalStateException} naming it when another process holds it. */
    public static JournalLock acquire(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new IllegalStateException("The journal directory " + dir.toAbsolutePath()
                        + " is held by another live capture process" + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + ": two processes must never share a journal. Stop it, or give this one its own "
                        + "CAPTURE_JOURNAL_DIR.");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)),
                    0);
            return new JournalLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the journal directory " + dir, e);
        }
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            int n = channel.read(buffer, 0);
            return n <= 0 ? "" : new String(buffer.array(), 0, n, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // released with the process anyway
        }
    }
}
