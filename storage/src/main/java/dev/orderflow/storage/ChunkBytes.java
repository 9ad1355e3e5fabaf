package dev.orderflow.storage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of a chunk's header or of one of its columns as they are written: varints, fixed longs, strings.
 *
 * <p>A plain growable array rather than a {@code ByteArrayOutputStream}: that one's {@code write} is synchronized,
 * and a lock taken for every byte of every varint was the larger part of encoding a chunk (without biased locking,
 * each is an atomic instruction).
 */
final class ChunkBytes {
    private byte[] buf = new byte[64];
    private int count;

    void unsigned(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[count++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[count++] = (byte) v;
    }

    void signed(long v) {
        unsigned((v << 1) ^ (v >> 63));
    }

    void fixed64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[count++] = (byte) (v >>> (8 * i));
        }
    }

    void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        unsigned(b.length);
        append(b, b.length);
    }

    void append(ChunkBytes other) {
        append(other.buf, other.count);
    }

    int size() {
        return count;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
    }

    private void append(byte[] bytes, int length) {
        ensure(length);
        System.arraycopy(bytes, 0, buf, count, length);
        count += length;
    }

    private void ensure(int more) {
        if (buf.length - count < more) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
        }
    }
}
