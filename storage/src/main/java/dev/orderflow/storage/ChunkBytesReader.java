package dev.orderflow.storage;

import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link ChunkBytes} wrote, from {@code bytes[position, end)}: the whole inflated layout, or one column of
 * it; throws IllegalArgumentException when the bytes end early.
 */
final class ChunkBytesReader {
    final byte[] bytes;
    int position;
    final int end;

    ChunkBytesReader(byte[] bytes, int position, int end) {
        if (end > bytes.length || position > end) {
            throw new IllegalArgumentException("chunk payload is truncated");
        }
        this.bytes = bytes;
        this.position = position;
        this.end = end;
    }

    private int next() {
        if (position >= end) {
            throw new IllegalArgumentException("chunk column is truncated");
        }
        return bytes[position++] & 0xFF;
    }

    long unsigned() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = next();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    long signed() {
        long v = unsigned();
        return (v >>> 1) ^ -(v & 1);
    }

    long fixed64() {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (long) next() << (8 * i);
        }
        return v;
    }

    String string() {
        int length = (int) unsigned();
        if (length < 0 || position + length > end) {
            throw new IllegalArgumentException("chunk string is truncated");
        }
        String s = new String(bytes, position, length, StandardCharsets.UTF_8);
        position += length;
        return s;
    }
}
