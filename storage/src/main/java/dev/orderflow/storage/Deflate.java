package dev.orderflow.storage;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** Raw deflate (no zlib header): the compression of chunk payloads and snapshot bodies. */
final class Deflate {
    private Deflate() {
    }

    /**
     * The level of chunk payloads, written for every part the capture stores. Level 9 until 2026-12-05: 6 left the
     * stored bytes per event as they were (22.7 on the btcusd-like stream, 27.7 against 27.6 on the 2015 log) and
     * took about a tenth off the capture's CPU in a burst.
     */
    static final int CHUNK_LEVEL = 6;

    /** Raw deflate at the best compression, without a dictionary (snapshot bodies: rare, and large). */
    static byte[] deflate(byte[] raw) {
        return deflate(raw, null, Deflater.BEST_COMPRESSION);
    }

    /** Raw deflate with a preset dictionary ({@code null}: none) at {@code level}. */
    static byte[] deflate(byte[] raw, byte[] dictionary, int level) {
        Deflater deflater = new Deflater(level, true);
        try {
            if (dictionary != null) {
                deflater.setDictionary(dictionary);
            }
            deflater.setInput(raw);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 3 + 64);
            byte[] buffer = new byte[8192];
            while (!deflater.finished()) {
                int n = deflater.deflate(buffer);
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    static byte[] inflate(byte[] payload) {
        return inflate(payload, null);
    }

    /** Inflates what {@link #deflate(byte[], byte[])} made with the same dictionary ({@code null}: none). */
    static byte[] inflate(byte[] payload, byte[] dictionary) {
        Inflater inflater = new Inflater(true);
        try {
            if (dictionary != null) {
                inflater.setDictionary(dictionary);
            }
            // with nowrap the inflater wants one extra byte after the stream
            byte[] input = java.util.Arrays.copyOf(payload, payload.length + 1);
            inflater.setInput(input);
            ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length * 4 + 64);
            byte[] buffer = new byte[16384];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalArgumentException("compressed payload is truncated");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("payload is not a deflate stream", e);
        } finally {
            inflater.end();
        }
    }
}
