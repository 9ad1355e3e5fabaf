package dev.orderflow.capture.journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The payloads of the journal's record types, written once here and read back by the window step. An event keeps
 * the frame's bytes exactly as received, behind a small header (its time and channel) so that nothing downstream
 * has to parse the frame to place it.
 */
public final class Records {
    private Records() {
    }

    /** An event record's parts. */
    public record Event(long microtimestamp, String wireChannel, byte[] frame) {
    }

    /** A bad frame's parts. */
    public record Bad(String reason, byte[] raw) {
    }

    /** {@code long microtimestamp, short channel length, channel (UTF-8), frame bytes}. */
    public static byte[] event(long microtimestamp, String wireChannel, byte[] frame) {
        byte[] wire = wireChannel.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(10 + wire.length + frame.length).putLong(microtimestamp)
                .putShort((short) wire.length).put(wire).put(frame).array();
    }

    public static Event event(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        long micros = b.getLong();
        int wireLength = b.getShort() & 0xffff;
        String wire = new String(payload, 10, wireLength, StandardCharsets.UTF_8);
        return new Event(micros, wire, Arrays.copyOfRange(payload, 10 + wireLength, payload.length));
    }

    /** {@code byte reason length, reason (UTF-8), raw bytes}. */
    public static byte[] bad(String reason, byte[] raw) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + r.length + raw.length).put((byte) r.length).put(r).put(raw).array();
    }

    public static Bad bad(byte[] payload) {
        int length = payload[0] & 0xff;
        return new Bad(new String(payload, 1, length, StandardCharsets.UTF_8),
                Arrays.copyOfRange(payload, 1 + length, payload.length));
    }
}
