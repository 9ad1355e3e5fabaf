package dev.orderflow.archive;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;

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

    /** The exchange's decimal string in its text column and, exactly, in its DECIMAL column. */
    void decimal(int column, int textColumn, String text) {
        values[textColumn] = text;
        values[column] = unscaledBytes(text);
        if (values[column] == null) {
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

    void string(String name, String value) {
        Integer column = STRING_COLUMNS.get(name);
        if (column != null) {
            values[column] = value;
        } else {
            extra(json -> json.writeStringField(name, value));
        }
    }

    void number(String name, long value) {
        Integer column = LONG_COLUMNS.get(name);
        if (column != null) {
            values[column] = value;
        } else {
            extra(json -> json.writeNumberField(name, value));
        }
    }

    void numberText(String name, String text) {
        extra(json -> {
            json.writeFieldName(name);
            json.writeNumber(text);
        });
    }

    void bool(String name, boolean value) {
        Integer column = BOOLEAN_COLUMNS.get(name);
        if (column != null) {
            values[column] = value;
        } else {
            extra(json -> json.writeBooleanField(name, value));
        }
    }

    void nul(String name) {
        extra(json -> json.writeNullField(name));
    }

    void tree(String name, JsonNode value) {
        extra(json -> {
            json.writeFieldName(name);
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
     * The unscaled value at scale 10 of a {@link PlainDecimal} spelling that fits a {@code long};
     * {@link PlainDecimal#NOT_PLAIN} for anything else, which {@link #unscaledBytes} then reads as {@link BigDecimal}
     * does. Every value of a busy hour goes through here, and a {@code BigDecimal} for each was a tenth of the archive's time.
     */
    static long plainUnscaled(String text) {
        long value = PlainDecimal.unscaled(text);
        int scale = PlainDecimal.scale(text);
        if (value == PlainDecimal.NOT_PLAIN || scale > EventSchema.DECIMAL_SCALE) {
            return PlainDecimal.NOT_PLAIN;
        }
        for (; scale < EventSchema.DECIMAL_SCALE; scale++) {
            if (Math.abs(value) > Long.MAX_VALUE / 10) {
                return PlainDecimal.NOT_PLAIN;
            }
            value *= 10;
        }
        return value;
    }

    /**
     * The unscaled value of {@code text} at scale 10 as 12 big-endian two's-complement bytes, or {@code null} when
     * it is not a plain decimal that fits {@code DECIMAL(28, 10)} exactly.
     */
    static byte[] unscaledBytes(String text) {
        long plain = plainUnscaled(text);
        if (plain != PlainDecimal.NOT_PLAIN) {
            byte[] out = new byte[EventSchema.DECIMAL_BYTES];
            for (int i = out.length - 1; i >= 0; i--) {
                out[i] = (byte) plain;
                plain >>= 8; // arithmetic: the sign fills the high bytes
            }
            return out;
        }
        BigDecimal value;
        try {
            value = new BigDecimal(text).setScale(EventSchema.DECIMAL_SCALE, RoundingMode.UNNECESSARY);
        } catch (NumberFormatException | ArithmeticException notExact) {
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
