package dev.orderflow.archive;

import java.util.Arrays;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.values.ValuesWriter;
import org.apache.parquet.io.api.Binary;

/**
 * PLAIN values of a {@code BINARY} column (each value's length as 4 little-endian bytes, then its bytes) or of a
 * {@code FIXED_LEN_BYTE_ARRAY} one (the bytes alone), into one growing array. parquet-java's own PLAIN writers pass
 * each length a byte at a time through two layers of streams, with a capacity check per byte: a fifteenth of the
 * archive's time on an hour of distinct events (the page bytes are the same).
 */
final class PlainBytesWriter extends ValuesWriter {
    /** The length of every value of a {@code FIXED_LEN_BYTE_ARRAY} column; -1 for {@code BINARY}. */
    private final int fixedLength;
    private final boolean lengthPrefixed;
    private byte[] buffer = new byte[1 << 12];
    private int size;

    private PlainBytesWriter(int fixedLength) {
        this.fixedLength = fixedLength;
        this.lengthPrefixed = fixedLength < 0;
    }

    /** For a {@code BINARY} column. */
    static PlainBytesWriter binary() {
        return new PlainBytesWriter(-1);
    }

    /** For a {@code FIXED_LEN_BYTE_ARRAY} column of values of {@code length} bytes. */
    static PlainBytesWriter fixed(int length) {
        return new PlainBytesWriter(length);
    }

    @Override
    public void writeBytes(Binary value) {
        byte[] bytes = value.getBytesUnsafe(); // the value's own array when it is one, else a copy of exactly it
        int length = bytes.length;
        if (!lengthPrefixed && length != fixedLength) {
            throw new IllegalArgumentException("a value of " + length + " bytes in a column of " + fixedLength);
        }
        int needed = size + length + (lengthPrefixed ? 4 : 0);
        if (needed > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
        }
        if (lengthPrefixed) {
            buffer[size] = (byte) length;
            buffer[size + 1] = (byte) (length >>> 8);
            buffer[size + 2] = (byte) (length >>> 16);
            buffer[size + 3] = (byte) (length >>> 24);
            size += 4;
        }
        System.arraycopy(bytes, 0, buffer, size, length);
        size += length;
    }

    @Override
    public long getBufferedSize() {
        return size;
    }

    @Override
    public BytesInput getBytes() {
        return BytesInput.from(buffer, 0, size);
    }

    @Override
    public Encoding getEncoding() {
        return Encoding.PLAIN;
    }

    @Override
    public void reset() {
        size = 0;
    }

    @Override
    public long getAllocatedSize() {
        return buffer.length;
    }

    @Override
    public String memUsageString(String prefix) {
        return prefix + " PLAIN " + size + " bytes";
    }
}
