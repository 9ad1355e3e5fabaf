package dev.orderflow.storage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/** Encodes the events of one chunk losslessly and compactly. (Interim: deflated JSON lines.) */
public final class ChunkCodec {
    public static final int VERSION = 0;

    private ChunkCodec() {
    }

    public static byte[] encode(List<CapturedEvent> events) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new DeflaterOutputStream(bytes))) {
            out.writeInt(events.size());
            for (CapturedEvent e : events) {
                out.writeLong(e.microtimestamp());
                out.writeLong(e.receivedMicros());
                out.writeUTF(Frames.toJson(e.frame()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static List<CapturedEvent> decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(payload)))) {
            int n = in.readInt();
            List<CapturedEvent> events = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                events.add(new CapturedEvent(in.readLong(), in.readLong(), Frames.parse(in.readUTF())));
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
