package dev.orderflow.capture.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The journal's file layer: how a segment file is created and written. Production uses {@link #DISK}; tests put a
 * layer in between that fails like a full disk or a failing {@code fsync} does.
 */
public interface SegmentFiles {

    /** An open segment file, written at its end only. */
    interface Appender extends Closeable {
        /** Writes all of {@code buffer} at the end of the file. */
        void write(ByteBuffer buffer) throws IOException;

        /** Forces what was written to the device ({@code fsync}). */
        void force() throws IOException;

        /** Cuts the file back to {@code size} bytes (after a write that failed part-way). */
        void truncate(long size) throws IOException;
    }

    /** Creates a new, empty segment file. */
    Appender create(Path path) throws IOException;

    SegmentFiles DISK = path -> {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new Appender() {
            @Override
            public void write(ByteBuffer buffer) throws IOException {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }

            @Override
            public void force() throws IOException {
                channel.force(false);
            }

            @Override
            public void truncate(long size) throws IOException {
                channel.truncate(size);
                channel.position(size);
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    };
}
