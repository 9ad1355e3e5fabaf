package dev.orderflow.archive;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

import dev.orderflow.storage.EventView;
import dev.orderflow.storage.Frames;
import dev.orderflow.storage.PlainDecimal;

/**
 * One row of an events file being filled: the named values, then the exchange's other fields, each as the API
 * writes it ({@link #string}, {@link #number}, …). A field lands in its own column when it has one and the value has
 * that column's type; otherwise in {@code extra}, under the API's name and with the API's JSON value. Reused from
 * event to event.
 */
final class EventRow {
    private static final int COLUMNS = EventSchema.SCHEMA.getFieldCount();
    private static final Map<String, Integer> STRING_COLUMNS = columns(EventSchema.STRINGS);
    private static final Map<String, Integer> LONG_COLUMNS = columns(EventSchema.LONGS);
    private static final Map<String, Integer> BOOLEAN_COLUMNS = columns(EventSchema.BOOLEANS);
    static final int MICROTIMESTAMP = EventSchema.index("microtimestamp");
    static final int TIME = EventSchema.index("time");
    static final int RECEIVED_MICROTIMESTAMP = EventSchema.index("received_microtimestamp");
    static final int RECEIVED = EventSchema.index("received");
    static final int TYPE = EventSchema.index("type");
    static final int ID = EventSchema.index("id");
    static final int SIDE = EventSchema.index("side");
    static final int PRICE = EventSchema.index("price");
    static final int PRICE_TEXT = EventSchema.index("price_text");
    static final int AMOUNT = EventSchema.index("amount");
    static final int AMOUNT_TEXT = EventSchema.index("amount_text");
    static final int EVENT_ID = EventSchema.index("event_id");
    static final int PRE_EVENT_ID = EventSchema.index("pre_event_id");
    static final int EXTRA = EventSchema.index("extra");

    /**
     * The row's values; a new array for each row: storing this row's new values into one long-lived array cost more
     * than allocating it (the collector's write barrier records each store of a young value into an old array).
     */
    Object[] values = new Object[COLUMNS];
    /** Per column, the last text made for it (a column's value often repeats the row before's). */
    private final EventView.TextMemo[] memos = new EventView.TextMemo[COLUMNS];
    /** Per decimal column, the text its last unscaled bytes were made from, and those bytes. */
    private final byte[][] lastDecimalText = new byte[COLUMNS][];
    private final byte[][] lastUnscaled = new byte[COLUMNS][];
    private StringWriter extraText;
    private JsonGenerator extra;
    /** Decimal strings that do not fit {@code DECIMAL(28, 10)}: their column stays null, the text is kept. */
    private long decimalsNotFitting;

    private static Map<String, Integer> columns(Iterable<String> names) {
        Map<String, Integer> map = new HashMap<>();
        for (String name : names) {
            map.put(name, EventSchema.index(name));
        }
        return map;
    }

    /** The memo of a string column's last text ({@link EventView.Fields#textBytes(int, EventView.TextMemo)}). */
    EventView.TextMemo memo(int column) {
        EventView.TextMemo memo = memos[column];
        if (memo == null) {
            memo = new EventView.TextMemo();
            memos[column] = memo;
        }
        return memo;
    }

    void start(long microtimestamp, long receivedMicros) {
        values = new Object[COLUMNS];
        extra = null;
        values[MICROTIMESTAMP] = microtimestamp;
        values[TIME] = microtimestamp;
        values[RECEIVED_MICROTIMESTAMP] = receivedMicros;
        values[RECEIVED] = receivedMicros;
    }

    void set(int column, String value) {
        values[column] = value;
    }

    /** A string column's value as UTF-8 bytes ({@code null}: absent). */
    void set(int column, byte[] utf8) {
        values[column] = utf8;
    }

    /**
     * The exchange's decimal string (its UTF-8 bytes) in its text column and, exactly, in its DECIMAL column; its
     * digits as one number and its scale when known ({@code unscaled} is {@link PlainDecimal#NOT_PLAIN} when not:
     * the text is then read).
     */
    void decimal(int column, int textColumn, byte[] text, long unscaled, int scale) {
        byte[] unscaledBytes;
        if (text == lastDecimalText[column]) { // the same text as the row before's (a memo's array)
            unscaledBytes = lastUnscaled[column];
        } else {
            unscaledBytes = unscaled != PlainDecimal.NOT_PLAIN ? unscaledBytes(unscaled, scale)
                    : unscaledBytes(new String(text, StandardCharsets.UTF_8));
            lastDecimalText[column] = text;
            lastUnscaled[column] = unscaledBytes;
        }
        values[textColumn] = text;
        values[column] = unscaledBytes;
        if (unscaledBytes == null) {
            decimalsNotFitting++;
        }
    }

    long decimalsNotFitting() {
        return decimalsNotFitting;
    }

    /** Closes the row's {@code extra} object, if any field went there. */
    void finish() {
        if (extra != null) {
            try {
                extra.writeEndObject();
                extra.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            values[EXTRA] = extraText.toString();
        }
    }

    // ---- the exchange's other fields, as the API writes them -------------------------------------------------

    /**
     * Where a field of the exchange goes: its column for each type of value it can have ({@code -1}: none, so a
     * value of that type goes to {@code extra}), worked out once per field name. An {@code id} field's whole numbers
     * are strings, as the API writes ids.
     */
    record Field(String name, int stringColumn, int longColumn, int booleanColumn, boolean id) {
        static Field of(String name) {
            return new Field(name, STRING_COLUMNS.getOrDefault(name, -1), LONG_COLUMNS.getOrDefault(name, -1),
                    BOOLEAN_COLUMNS.getOrDefault(name, -1), name.equals("id") || name.endsWith("_id"));
        }
    }

    /** A string field's value, read as bytes when it has a column ({@code extra} takes its text). */
    void string(Field field, EventView.Fields fields, int i) {
        if (field.stringColumn >= 0) {
            values[field.stringColumn] = fields.textBytes(i, memo(field.stringColumn));
        } else {
            string(field, fields.text(i));
        }
    }

    void string(Field field, String value) {
        if (field.stringColumn >= 0) {
            values[field.stringColumn] = value;
        } else {
            extra(json -> json.writeStringField(field.name, value));
        }
    }

    void number(Field field, long value) {
        if (field.longColumn >= 0) {
            values[field.longColumn] = value;
        } else {
            extra(json -> json.writeNumberField(field.name, value));
        }
    }

    void numberText(Field field, String text) {
        extra(json -> {
            json.writeFieldName(field.name);
            json.writeNumber(text);
        });
    }

    void bool(Field field, boolean value) {
        if (field.booleanColumn >= 0) {
            values[field.booleanColumn] = value;
        } else {
            extra(json -> json.writeBooleanField(field.name, value));
        }
    }

    void nul(Field field) {
        extra(json -> json.writeNullField(field.name));
    }

    void tree(Field field, JsonNode value) {
        extra(json -> {
            json.writeFieldName(field.name);
            json.writeTree(value);
        });
    }

    @FunctionalInterface
    private interface ExtraWrite {
        void to(JsonGenerator json) throws IOException;
    }

    private void extra(ExtraWrite write) {
        try {
            if (extra == null) {
                extraText = new StringWriter();
                extra = Frames.MAPPER.getFactory().createGenerator(extraText);
                extra.setCodec(Frames.MAPPER);
                extra.writeStartObject();
            }
            write.to(extra);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The unscaled value of {@code text} at scale 10 as 12 big-endian two's-complement bytes, or {@code null} when
     * it is not a plain decimal that fits {@code DECIMAL(28, 10)} exactly.
     */
    static byte[] unscaledBytes(String text) {
        long plain = PlainDecimal.unscaled(text);
        if (plain != PlainDecimal.NOT_PLAIN) {
            return unscaledBytes(plain, PlainDecimal.scale(text));
        }
        try {
            return unscaledBytes(new BigDecimal(text));
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /**
     * {@code unscaled / 10^scale} as {@link #unscaledBytes(String)} gives it. With at most 18 digits and a scale of
     * at most 10 (the exchange's decimals) it fits 28 digits at scale 10, and no {@code BigDecimal} is needed: the
     * product with {@code 10^(10 - scale)} is worked out in 128 bits.
     */
    static byte[] unscaledBytes(long unscaled, int scale) {
        if (scale < 0 || scale > EventSchema.DECIMAL_SCALE || Math.abs(unscaled) >= PlainDecimal.tenTo(18)
                || unscaled == Long.MIN_VALUE) {
            return unscaledBytes(BigDecimal.valueOf(unscaled, scale));
        }
        long factor = PlainDecimal.tenTo(EventSchema.DECIMAL_SCALE - scale);
        long magnitude = Math.abs(unscaled);
        long low = magnitude * factor;
        long high = Math.multiplyHigh(magnitude, factor);
        if (unscaled < 0) { // two's complement of the 128-bit product
            low = ~low + 1;
            high = ~high + (low == 0 ? 1 : 0);
        }
        byte[] out = new byte[EventSchema.DECIMAL_BYTES];
        for (int i = out.length - 1; i >= 4; i--) {
            out[i] = (byte) low;
            low >>>= 8;
        }
        for (int i = 3; i >= 0; i--) {
            out[i] = (byte) high;
            high >>= 8;
        }
        return out;
    }

    private static byte[] unscaledBytes(BigDecimal decimal) {
        BigDecimal value;
        try {
            value = decimal.setScale(EventSchema.DECIMAL_SCALE, RoundingMode.UNNECESSARY);
        } catch (ArithmeticException notExact) {
            return null;
        }
        if (value.precision() > EventSchema.DECIMAL_PRECISION) {
            return null;
        }
        byte[] raw = value.unscaledValue().toByteArray();
        byte[] out = new byte[EventSchema.DECIMAL_BYTES];
        byte fill = (byte) (value.signum() < 0 ? 0xFF : 0);
        Arrays.fill(out, 0, out.length - raw.length, fill);
        System.arraycopy(raw, 0, out, out.length - raw.length, raw.length);
        return out;
    }
}
