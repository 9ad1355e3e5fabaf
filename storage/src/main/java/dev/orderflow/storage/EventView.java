package dev.orderflow.storage;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One event of a chunk as {@link ChunkCodec#view} reads it: the frame's top-level fields and those of its
 * {@code data} object by position, each value turned into text only when asked. Reading a chunk this way builds no
 * JSON tree, and fields nobody asks for cost a few varint reads. The view is reused from event to event: copy what
 * must outlive {@link Events#next()}.
 */
public final class EventView {
    long microtimestamp;
    long receivedMicros;
    final Fields frame = new Fields();

    EventView() {
    }

    /** The exchange's {@code data.microtimestamp} in µs (as {@link CapturedEvent#microtimestamp()}). */
    public long microtimestamp() {
        return microtimestamp;
    }

    public long receivedMicros() {
        return receivedMicros;
    }

    /** The frame's top-level fields, in wire order. */
    public Fields frame() {
        return frame;
    }

    /** The frame's {@code data} object, or {@code null} when it has none. */
    public Fields data() {
        int i = frame.find(dataName);
        return i < 0 ? null : frame.object(i);
    }

    private final Name dataName = new Name("data");

    /** The events of one chunk, one at a time. */
    public interface Events {
        /** Moves to the next event; false after the last. */
        boolean next();

        /** The current event (the same object every time). */
        EventView event();

        /** Events in the chunk. */
        int size();
    }

    /**
     * A field name with a remembered position: looking a name up in objects of the same shape again and again
     * costs one comparison. Not for sharing between threads.
     */
    public static final class Name {
        final String name;
        String[] lastNames;
        int lastIndex;

        public Name(String name) {
            this.name = name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The last value whose text bytes were asked for through it, and those bytes: the same value again (a field that
     * repeats from event to event, such as a second's {@code datetime}, or an event's {@code pre_event_id}, which is
     * the event before's {@code event_id}) gives the same array, without building it again. Such arrays must not be
     * changed. Not for sharing between threads.
     */
    public static final class TextMemo {
        private int kind = -1;
        private long a;
        private long b;
        private int scale;
        private String text;
        private byte[] bytes;

        byte[] bytes(Slot slot, Fields owner) {
            switch (slot.kind) {
                case Slot.INT_STRING, Slot.INT, Slot.DECIMAL_STRING, Slot.UUID -> {
                    // the text of these is a function of their parts alone
                    if (slot.kind == kind && slot.a == a && slot.b == b && slot.scale == scale) {
                        return bytes;
                    }
                    return remember(slot, slot.bytes(owner), null);
                }
                case Slot.STRING -> {
                    if (kind == Slot.STRING && slot.text.equals(text)) {
                        return bytes;
                    }
                    return remember(slot, slot.bytes(owner), slot.text);
                }
                default -> {
                    kind = -1;
                    return slot.bytes(owner);
                }
            }
        }

        private byte[] remember(Slot slot, byte[] made, String madeFrom) {
            kind = slot.kind;
            a = slot.a;
            b = slot.b;
            scale = slot.scale;
            text = madeFrom;
            bytes = made;
            return made;
        }
    }

    /** What a value is. */
    public enum Kind {
        NULL, BOOLEAN, STRING, NUMBER, OBJECT, OTHER
    }

    /** The fields of one object, in wire order. */
    public static final class Fields {
        String[] names = new String[0];
        int size;
        Slot[] slots = new Slot[0];

        void reset(String[] shape) {
            names = shape;
            size = shape.length;
            if (slots.length < size) {
                Slot[] grown = new Slot[size];
                System.arraycopy(slots, 0, grown, 0, slots.length);
                for (int i = slots.length; i < size; i++) {
                    grown[i] = new Slot();
                }
                slots = grown;
            }
        }

        public int size() {
            return size;
        }

        /** The object's shape (its field names in order): the same object for every object of that shape in a chunk. */
        public Object shape() {
            return names;
        }

        public String name(int i) {
            return names[i];
        }

        /** Position of the field called {@code name}, or -1. */
        public int find(Name name) {
            if (name.lastNames == names) {
                return name.lastIndex;
            }
            int found = -1;
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name.name)) {
                    found = i;
                    break;
                }
            }
            name.lastNames = names;
            name.lastIndex = found;
            return found;
        }

        /** Position of the field called {@code name}, or -1 (a scan; prefer {@link #find(Name)} in loops). */
        public int find(String name) {
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }

        public Kind kind(int i) {
            return slots[i].kind();
        }

        /**
         * The value as text, as Jackson's {@code textValue()} of a string or {@code asText()} of a number or boolean
         * gives it; {@code null} for null, objects and arrays.
         */
        public String text(int i) {
            return slots[i].text(this);
        }

        /**
         * {@link #text(int)} as UTF-8 bytes; numbers held as their parts are written to bytes directly, without
         * building the text first.
         */
        public byte[] textBytes(int i) {
            return slots[i].bytes(this);
        }

        /** {@link #textBytes(int)} of the field called {@code name}, or {@code null} when absent. */
        public byte[] textBytes(Name name) {
            int i = find(name);
            return i < 0 ? null : textBytes(i);
        }

        /** {@link #textBytes(int)}, the same array as {@code memo}'s last when the value is the same. */
        public byte[] textBytes(int i, TextMemo memo) {
            return memo.bytes(slots[i], this);
        }

        /** {@link #textBytes(Name)}, the same array as {@code memo}'s last when the value is the same. */
        public byte[] textBytes(Name name, TextMemo memo) {
            int i = find(name);
            return i < 0 ? null : memo.bytes(slots[i], this);
        }

        /** Whether the value has a {@link #text(int)}: a string, a number or a boolean. */
        public boolean hasText(int i) {
            Kind kind = kind(i);
            return kind == Kind.STRING || kind == Kind.NUMBER || kind == Kind.BOOLEAN;
        }

        /**
         * Whether the string at {@code string} (an {@code x_str}) spells the value at {@code value} (its {@code x}),
         * as {@link EventLayout#spells} says of the frame's tree (a value stored as "what its {@code x_str} says"
         * does without building either).
         */
        public boolean spells(int string, int value) {
            if (string < 0 || value < 0 || kind(string) != Kind.STRING) {
                return false;
            }
            Slot slot = slots[value];
            if (slot.kind == Slot.FROM_STRING) {
                return true; // stored as "the number its x_str spells"
            }
            Kind kind = slot.kind();
            return (kind == Kind.STRING || kind == Kind.NUMBER)
                    && EventLayout.spells(ChunkValues.NODES.textNode(text(string)), slot.tree(this));
        }

        /** The text of the field called {@code name}, or {@code null} when absent (see {@link #text(int)}). */
        public String text(Name name) {
            int i = find(name);
            return i < 0 ? null : text(i);
        }

        /**
         * The digits of a string holding a plain decimal ({@code "58356.10"} gives 5835610), when the chunk holds it
         * as its parts (so that its text is built from them: {@link #plainScale} gives the scale);
         * {@link PlainDecimal#NOT_PLAIN} for any other value, whose {@link #text} must then be read.
         */
        public long plainUnscaled(int i) {
            Slot slot = slots[i];
            return slot.kind == Slot.DECIMAL_STRING || slot.kind == Slot.INT_STRING ? slot.a : PlainDecimal.NOT_PLAIN;
        }

        /** The number of digits after the dot of a value {@link #plainUnscaled} reads. */
        public int plainScale(int i) {
            return slots[i].kind == Slot.DECIMAL_STRING ? slots[i].scale : 0;
        }

        /** Whether the value is a number given in JSON as a whole number (not a decimal). */
        public boolean isWholeNumber(int i) {
            return slots[i].isWholeNumber(this);
        }

        /** A number's value as a long, when {@link #isWholeNumber} and it fits. */
        public boolean fitsLong(int i) {
            return slots[i].fitsLong(this);
        }

        public long longValue(int i) {
            return slots[i].longValue(this);
        }

        public boolean booleanValue(int i) {
            return slots[i].kind == Slot.TRUE;
        }

        /** The {@code data}-like object at {@code i} (only the frame's own fields are read this way). */
        public Fields object(int i) {
            return slots[i].kind == Slot.OBJECT ? slots[i].object : null;
        }

        /** Any value as a JSON tree (for the rare values kept whole: arrays, objects below {@code data}). */
        public JsonNode tree(int i) {
            return slots[i].tree(this);
        }
    }

    /** One value; numbers held in strings are kept as their parts until their text is asked for. */
    static final class Slot {
        static final int NULL = 0;
        static final int TRUE = 1;
        static final int FALSE = 2;
        static final int STRING = 3;
        static final int INT_STRING = 4;
        static final int DECIMAL_STRING = 5;
        static final int UUID = 6;
        static final int INT = 7;
        static final int NUMBER_TEXT = 8;
        static final int FROM_STRING = 9;
        static final int OBJECT = 10;
        static final int TREE = 11;

        int kind;
        long a;
        long b;
        int scale;
        String text;
        JsonNode tree;
        Fields object;
        /** For {@link #FROM_STRING}: the number the sibling string stands for, once worked out. */
        private JsonNode number;

        void set(int kind) {
            this.kind = kind;
            this.text = null;
            this.tree = null;
            this.number = null;
        }

        void copy(Slot other) {
            kind = other.kind;
            a = other.a;
            b = other.b;
            scale = other.scale;
            text = other.text;
            tree = other.tree;
            number = other.number;
            if (other.kind == OBJECT) {
                throw new IllegalArgumentException("an object cannot repeat another field");
            }
        }

        Kind kind() {
            return switch (kind) {
                case NULL -> Kind.NULL;
                case TRUE, FALSE -> Kind.BOOLEAN;
                case STRING, INT_STRING, DECIMAL_STRING, UUID -> Kind.STRING;
                case INT, NUMBER_TEXT, FROM_STRING -> Kind.NUMBER;
                case OBJECT -> Kind.OBJECT;
                default -> tree.isNumber() ? Kind.NUMBER : tree.isTextual() ? Kind.STRING
                        : tree.isBoolean() ? Kind.BOOLEAN : tree.isNull() ? Kind.NULL : Kind.OTHER;
            };
        }

        String text(Fields owner) {
            if (text != null) {
                return text;
            }
            text = switch (kind) {
                case TRUE -> "true";
                case FALSE -> "false";
                case INT_STRING, INT -> Long.toString(a);
                case DECIMAL_STRING -> ChunkValues.plainDecimalText(a, scale);
                case UUID -> ChunkValues.uuid(a, b);
                case FROM_STRING -> number(owner).asText();
                case TREE -> tree.isContainerNode() || tree.isNull() ? null
                        : tree.isTextual() ? tree.textValue() : tree.asText();
                default -> null; // NULL, OBJECT; STRING and NUMBER_TEXT always hold their text
            };
            return text;
        }

        byte[] bytes(Fields owner) {
            if (text != null) {
                return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            return switch (kind) {
                case INT_STRING, INT -> ChunkValues.plainDecimalBytes(a, 0);
                case DECIMAL_STRING -> ChunkValues.plainDecimalBytes(a, scale);
                case UUID -> ChunkValues.uuidBytes(a, b);
                default -> {
                    String value = text(owner);
                    yield value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
            };
        }

        JsonNode number(Fields owner) {
            if (number == null) {
                // the encoder stores a number this way only when its name_str sibling is a string that spells it
                String name = null;
                for (int i = 0; i < owner.size; i++) {
                    if (owner.slots[i] == this) {
                        name = owner.names[i];
                    }
                }
                int sibling = owner.find(name + "_str");
                number = ChunkValues.numberFromString(owner.text(sibling));
            }
            return number;
        }

        boolean isWholeNumber(Fields owner) {
            return switch (kind) {
                case INT -> true;
                case NUMBER_TEXT -> b == 1;
                case FROM_STRING -> number(owner).isIntegralNumber();
                case TREE -> tree.isIntegralNumber();
                default -> false;
            };
        }

        boolean fitsLong(Fields owner) {
            return switch (kind) {
                case INT -> true;
                case FROM_STRING -> number(owner).isIntegralNumber() && number(owner).canConvertToLong();
                case TREE -> tree.isIntegralNumber() && tree.canConvertToLong();
                default -> false;
            };
        }

        long longValue(Fields owner) {
            return switch (kind) {
                case INT -> a;
                case FROM_STRING -> number(owner).longValue();
                default -> tree.longValue();
            };
        }

        JsonNode tree(Fields owner) {
            return switch (kind) {
                case NULL -> ChunkValues.NODES.nullNode();
                case TRUE -> ChunkValues.NODES.booleanNode(true);
                case FALSE -> ChunkValues.NODES.booleanNode(false);
                case STRING, INT_STRING, DECIMAL_STRING, UUID -> ChunkValues.NODES.textNode(text(owner));
                case INT -> ChunkValues.integral(a);
                case NUMBER_TEXT -> b == 1 ? ChunkValues.NODES.numberNode(new java.math.BigInteger(text))
                        : ChunkValues.NODES.numberNode(new java.math.BigDecimal(text));
                case FROM_STRING -> number(owner);
                case OBJECT -> throw new IllegalStateException("read the data object through object()");
                default -> tree;
            };
        }
    }
}
