package dev.orderflow.query.events;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.Problem;
import dev.orderflow.storage.Channel;

/**
 * Cursors as opaque base64url text: the query they belong to and the position, followed by the first 16 bytes of
 * an HMAC-SHA256 over them. A cursor that was not made here with the same key, or was changed, is a 400.
 */
@ApplicationScoped
public class CursorCodec {
    private static final int VERSION = 1;
    private static final int MAC_BYTES = 16;
    private static final int MAX_TEXT = 1024;
    private static final Pattern SK = Pattern.compile("\\d{13}#\\d{3}");

    private final SecretKeySpec key;

    public CursorCodec(QueryConfig config) {
        this.key = new SecretKeySpec(config.cursor().key().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public String encode(Cursor cursor) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            EventQuery q = cursor.query();
            out.writeByte(VERSION);
            out.writeUTF(q.pair());
            out.writeByte(q.channel().ordinal());
            out.writeLong(q.fromMicros());
            out.writeLong(q.toMicros());
            out.writeByte(q.typeBits());
            out.writeByte(q.side() == null ? 0 : q.side().ordinal() + 1);
            out.writeUTF(q.orderId() == null ? "" : q.orderId());
            out.writeUTF(cursor.sk());
            out.writeInt(cursor.index());
            out.writeLong(cursor.atMicros());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] payload = bytes.toByteArray();
        byte[] token = Arrays.copyOf(payload, payload.length + MAC_BYTES);
        System.arraycopy(mac(payload), 0, token, payload.length, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /** The cursor in {@code text}; a 400 naming {@code cursor} when it is not one of ours. */
    public Cursor decode(String text) {
        if (text.length() > MAX_TEXT) {
            throw invalid();
        }
        byte[] token;
        try {
            token = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (token.length <= MAC_BYTES) {
            throw invalid();
        }
        byte[] payload = Arrays.copyOf(token, token.length - MAC_BYTES);
        byte[] expected = Arrays.copyOf(mac(payload), MAC_BYTES);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(token, payload.length, token.length))) {
            throw invalid();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            if (in.readUnsignedByte() != VERSION) {
                throw invalid();
            }
            String pair = in.readUTF();
            Channel channel = Channel.values()[in.readUnsignedByte()];
            long from = in.readLong();
            long to = in.readLong();
            int types = in.readUnsignedByte();
            int side = in.readUnsignedByte();
            String orderId = in.readUTF();
            String sk = in.readUTF();
            int index = in.readInt();
            long at = in.readLong();
            if (in.available() != 0 || from >= to || side > Side.values().length || !SK.matcher(sk).matches()
                    || index < 0 || at < from || at > to) {
                throw invalid();
            }
            EventQuery query = new EventQuery(pair, channel, from, to, EventQuery.typesOfBits(types),
                    side == 0 ? null : Side.values()[side - 1], orderId.isEmpty() ? null : orderId);
            return new Cursor(query, sk, index, at);
        } catch (IOException | RuntimeException e) {
            if (e instanceof Problem problem) {
                throw problem;
            }
            throw invalid();
        }
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Problem invalid() {
        return Problem.badParameter("cursor", "'cursor' is not a cursor this API gave out (or it was changed). "
                + "Use next_cursor (JSON) or the Link rel=\"next\" URL of the previous page as it is.");
    }
}
