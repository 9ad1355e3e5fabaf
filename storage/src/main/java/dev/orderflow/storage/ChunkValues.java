package dev.orderflow.storage;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The value forms of the chunk format ({@link ChunkCodec}), shared by {@link ChunkEncoder}, {@link ChunkDecoder} and
 * {@link EventView}: which strings are whole numbers, plain decimals or UUIDs, how they are spelt back, and the
 * numbers a {@code <name>_str} sibling stands for.
 */
final class ChunkValues {
    static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private ChunkValues() {
    }

    /** A whole number spelt canonically ("0", "-12", no leading zeros) that fits a long, or null. */
    static Long canonicalLong(String s) {
        int n = s.length();
        if (n == 0 || n > 18) {
            return null;
        }
        int start = s.charAt(0) == '-' ? 1 : 0;
        if (start == n || (s.charAt(start) == '0' && n - start > 1) || (start == 1 && n == 2 && s.charAt(1) == '0')) {
            return null;
        }
        for (int i = start; i < n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        return Long.parseLong(s);
    }

    /**
     * A plain decimal ("58356.10", "0.00000000") that re-spells exactly from (unscaled, scale), or null. Up to 18
     * digits {@link PlainDecimal} reads it (the spellings of prices and amounts); longer ones go through
     * {@code BigDecimal}.
     */
    static BigDecimal plainDecimal(String s) {
        int n = s.length();
        int start = n > 0 && s.charAt(0) == '-' ? 1 : 0;
        int dot = s.indexOf('.');
        if (dot <= start || dot == n - 1 || n > 40) {
            return null;
        }
        if (s.charAt(start) == '0' && dot - start > 1) {
            return null; // a leading zero: "00.5" re-spells as "0.5"
        }
        long unscaled = PlainDecimal.unscaled(s);
        if (unscaled == PlainDecimal.NOT_PLAIN) {
            return longPlainDecimal(s); // more than 18 digits, or not a plain spelling at all
        }
        if (start == 1 && unscaled == 0) {
            return null; // "-0.00" re-spells as "0.00"
        }
        return BigDecimal.valueOf(unscaled, PlainDecimal.scale(s));
    }

    /** {@link #plainDecimal} through {@code BigDecimal}: for long spellings, and null for what does not parse. */
    private static BigDecimal longPlainDecimal(String s) {
        BigDecimal value;
        try {
            value = new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null; // "1.2.3"
        }
        if (value.scale() > 60 || value.unscaledValue().bitLength() > 62 || !value.toPlainString().equals(s)) {
            return null;
        }
        return value;
    }

    static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** The first 16 hex digits of a uuid {@link #isUuid} accepted. */
    static long uuidHigh(String s) {
        return hex(s, 0, 18);
    }

    /** The last 16 hex digits of a uuid {@link #isUuid} accepted. */
    static long uuidLow(String s) {
        return hex(s, 19, 36);
    }

    /** The lowercase hex digits of {@code s[from, to)} as one number, dashes skipped. */
    private static long hex(String s, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c != '-') {
                v = v << 4 | (c <= '9' ? c - '0' : c - 'a' + 10);
            }
        }
        return v;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static String uuid(long high, long low) {
        return new String(uuidBytes(high, low), StandardCharsets.ISO_8859_1);
    }

    /** {@link #uuid}'s text as ASCII bytes. */
    static byte[] uuidBytes(long high, long low) {
        byte[] c = new byte[36];
        int at = 0;
        for (int i = 15; i >= 0; i--) {
            c[at++] = HEX[(int) (high >>> (4 * i)) & 0xF];
            if (at == 8 || at == 13) {
                c[at++] = '-';
            }
        }
        c[at++] = '-';
        for (int i = 15; i >= 0; i--) {
            c[at++] = HEX[(int) (low >>> (4 * i)) & 0xF];
            if (at == 23) {
                c[at++] = '-';
            }
        }
        return c;
    }

    /** The number a {@code <name>_str} sibling stands for, as the frame parser would have built it. */
    static JsonNode numberFromString(String s) {
        JsonNode plain = plainNumber(s);
        return plain != null ? plain : anyNumber(s);
    }

    /** {@link #numberFromString} through {@code BigDecimal}, for every spelling it accepts. */
    static JsonNode anyNumber(String s) {
        BigDecimal value;
        try {
            value = new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() <= 0) {
            return integral(stripped.toBigIntegerExact());
        }
        return NODES.numberNode(stripped);
    }

    /** {@link #numberFromString} without {@code BigDecimal} for {@link PlainDecimal}'s spellings; else {@code null}. */
    static JsonNode plainNumber(String s) {
        long unscaled = PlainDecimal.unscaled(s);
        if (unscaled == PlainDecimal.NOT_PLAIN) {
            return null;
        }
        int scale = PlainDecimal.scale(s);
        while (scale > 0 && unscaled % 10 == 0) {
            unscaled /= 10;
            scale--;
        }
        return scale == 0 ? integral(unscaled) : NODES.numberNode(BigDecimal.valueOf(unscaled, scale));
    }

    /** {@code BigDecimal.valueOf(unscaled, scale).toPlainString()} for {@code scale >= 0}, without the BigDecimal. */
    static String plainDecimalText(long unscaled, int scale) {
        if (scale == 0 || unscaled == Long.MIN_VALUE) {
            return scale == 0 ? Long.toString(unscaled) : BigDecimal.valueOf(unscaled, scale).toPlainString();
        }
        return new String(plainDecimalBytes(unscaled, scale), StandardCharsets.ISO_8859_1);
    }

    /** {@link #plainDecimalText} as ASCII bytes (scale 0: the whole number's digits). */
    static byte[] plainDecimalBytes(long unscaled, int scale) {
        if (unscaled == Long.MIN_VALUE) {
            return plainDecimalText(unscaled, scale).getBytes(StandardCharsets.ISO_8859_1);
        }
        long v = Math.abs(unscaled);
        int digits = 1;
        while (digits < 19 && v >= PlainDecimal.tenTo(digits)) {
            digits++;
        }
        int whole = Math.max(digits - scale, 1);
        byte[] b = new byte[(unscaled < 0 ? 1 : 0) + whole + (scale > 0 ? 1 + scale : 0)];
        int at = b.length;
        for (int written = 0; written < scale; written++) {
            long rest = v / 10;
            b[--at] = (byte) ('0' + (v - rest * 10));
            v = rest;
        }
        if (scale > 0) {
            b[--at] = '.';
        }
        do {
            long rest = v / 10;
            b[--at] = (byte) ('0' + (v - rest * 10));
            v = rest;
        } while (v > 0);
        if (unscaled < 0) {
            b[0] = '-';
        }
        return b;
    }

    private static JsonNode integral(BigInteger value) {
        if (value.bitLength() < 32) {
            return NODES.numberNode(value.intValue());
        }
        if (value.bitLength() < 64) {
            return NODES.numberNode(value.longValue());
        }
        return NODES.numberNode(value);
    }

    static JsonNode integral(long value) {
        return value == (int) value ? NODES.numberNode((int) value) : NODES.numberNode(value);
    }
}
