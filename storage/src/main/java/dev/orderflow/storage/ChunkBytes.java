package dev.orderflow.storage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The bytes of a chunk's header or of one of its columns as they are written: varints, fixed longs, strings. */
final class ChunkBytes extends ByteArrayOutputStream {
    ChunkBytes() {
        super(64);
    }

    void unsigned(long v) {
        while ((v & ~0x7FL) != 0) {
            write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        write((int) v);
    }

    void signed(long v) {
        unsigned((v << 1) ^ (v >> 63));
    }

    void fixed64(long v) {
        for (int i = 0; i < 8; i++) {
            write((int) (v >>> (8 * i)));
        }
    }

    void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        unsigned(b.length);
        write(b, 0, b.length);
    }

    void append(ChunkBytes other) {
        write(other.buf, 0, other.count);
    }
}
