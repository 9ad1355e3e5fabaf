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
import java.util.List;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.orderflow.query.QueryConfig;
import dev.orderflow.query.api.Problem;
import dev.orderflow.storage.Side;
import dev.orderflow.storage.Channel;
import io.quarkus.runtime.Startup;
import io.smallrye.config.SmallRyeConfig;

/**
 * Cursors as opaque base64url text: the query they belong to and the position, followed by the first 16 bytes of
 * an HMAC-SHA256 over them. A cursor that was not made here with the same key, or was changed, or whose range is
 * longer than one query may cover, is a 400. Made at start ({@link Startup}), so that a function without a key of
 * its own ({@link #requireOwnKey}) fails its init instead of serving forgeable cursors.
 */
@Startup
@ApplicationScoped
public class CursorCodec {
    /** The built-in key of application.properties: known to anyone who reads this repository. */
    static final String DEVELOPMENT_KEY = "orderflow-local-cursor-key";
    /** Shortest key accepted outside development and tests (the template generates 48 characters). */
    static final int MIN_KEY_LENGTH = 32;
    /** The profiles in which the built-in key may serve. */
    private static final List<String> LOCAL_PROFILES = List.of("dev", "test");

    private static final int VERSION = 1;
    private static final int MAC_BYTES = 16;
    private static final int MAX_TEXT = 1024;
    private static final Pattern SK = Pattern.compile("\\d{13}#\\d{3}");

    private final SecretKeySpec key;
    private final long maxSpanMicros;

    @Inject
    public CursorCodec(QueryConfig config) {
        this(config, ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getProfiles());
    }

    CursorCodec(QueryConfig config, List<String> profiles) {
        requireOwnKey(config.cursor().key(), profiles);
        this.key = new SecretKeySpec(config.cursor().key().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.maxSpanMicros = config.events().maxSpan().toNanos() / 1000;
    }

    /**
     * Refuses the built-in key, and keys shorter than {@link #MIN_KEY_LENGTH}, unless a {@code dev} or {@code test}
     * profile is active: anyone could sign cursors with them.
     *
     * @throws IllegalStateException naming {@code ORDERFLOW_CURSOR_KEY}
     */
    static void requireOwnKey(String key, List<String> profiles) {
        if (profiles.stream().anyMatch(LOCAL_PROFILES::contains)) {
            return;
        }
        if (key == null || key.equals(DEVELOPMENT_KEY) || key.length() < MIN_KEY_LENGTH) {
            throw new IllegalStateException("ORDERFLOW_CURSOR_KEY (query.cursor.key) must be a secret of at least "
                    + MIN_KEY_LENGTH + " characters of this deployment's own outside the dev and test profiles"
                    + " (active: " + profiles + "); the built-in key would let anyone forge cursors. template.yaml"
                    + " passes a generated one from Secrets Manager; ./pipeline api makes one per run.");
        }
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
            if (to - from > maxSpanMicros) {
                // signed with our key but wider than a query may be: made with a leaked key or by an older build
                throw Problem.badParameter("cursor", "'cursor' covers a range longer than one query may (at most "
                        + maxSpanMicros / 3_600_000_000L + " h). Start again with from and to.");
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
