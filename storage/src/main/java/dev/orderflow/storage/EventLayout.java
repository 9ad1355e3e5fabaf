package dev.orderflow.storage;

import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What each field of a stored frame becomes in an event as the API ({@code /v1/events}) and the archive give it; one
 * rule for both. The named fields come first ({@code type, id, side, price, amount, event_id, pre_event_id}), then
 * every other field under its own name, with the prefix {@code data_} (from {@code data}) or {@code frame_} (top
 * level) where a named field has that name.
 *
 * <p>A number the exchange sends twice, as {@code x} and as the string {@code x_str}, is given once, as {@code x}
 * with the string's exact text, when the string spells the number ({@link #spells}: the rule the chunk codec uses to
 * store {@code x} as "what {@code x_str} says", or a float's rendering of it); {@code id}, {@code price} and {@code amount} are read from
 * {@code x_str} when it has a text, else from {@code x}. Otherwise both fields are given as they came, so nothing the
 * exchange sent is left out: an {@code x_str: null} beside a number, an {@code x_str} that is a number itself, or a
 * string that says another number than its {@code x} (which then keeps its value, as {@code data_x} for the named
 * ones).
 *
 * <p>Worked out once per object shape; not for sharing between threads.
 */
public final class EventLayout {
    /** Names the API's own fields use: a field of the exchange with one of them gets a prefix. */
    public static final Set<String> OWN = Set.of("pair", "channel", "type", "microtimestamp", "time",
            "received_microtimestamp", "id", "side", "price", "amount", "event_id", "pre_event_id");
    private static final Set<String> TOP_LEVEL_DONE = Set.of("data", "event", "channel", "event_id", "pre_event_id");
    /** The {@code data} fields given under a name of their own: read from {@code x_str}, else from {@code x}. */
    private static final Set<String> NAMED = Set.of("id", "price", "amount");
    private static final String STRING_SUFFIX = "_str";

    /** How one field of {@code data} is given (see {@link #give}). */
    public enum Give {
        /** Not on its own: a named field or its {@code x} gives it. */
        SKIP,
        /** As {@code x}, with the exact text of its {@code x_str} ({@link Plan#stringOf}). */
        EXACT,
        /** As it came, under its output name. */
        AS_IS
    }

    /**
     * The output names of a shape's fields ({@code null}: given by a named field or the event itself), and for each
     * {@code data} field the position of its {@code x} (for an {@code x_str}) and of its {@code x_str} (for an
     * {@code x}), else -1.
     */
    public record Plan(String[] frame, String[] data, int[] numberOf, int[] stringOf, boolean[] isString,
                       boolean[] named, int sideField) {
    }

    private final String sideName;
    private Object planFrame;
    private Object planData;
    private Plan plan;

    public EventLayout(Channel channel) {
        this.sideName = channel == Channel.ORDERS ? "order_type" : "type";
    }

    /**
     * Whether {@code string} (an {@code x_str}) spells {@code value} (its {@code x}): it is a string, and {@code x} is
     * the same string, or the number the frame parser builds from it, or, for a number with a fraction, one the
     * exchange printed from the same binary floating-point value ({@code 0.0016429999999999999} beside
     * {@code "0.00164300"}, as old feeds sent). Whole numbers must be equal: ids beyond 2^53 differ as doubles.
     */
    public static boolean spells(JsonNode string, JsonNode value) {
        if (string == null || !string.isTextual() || value == null) {
            return false;
        }
        if (value.isTextual()) {
            return value.textValue().equals(string.textValue());
        }
        if (!value.isNumber()) {
            return false;
        }
        JsonNode spelt = ChunkValues.numberFromString(string.textValue());
        if (spelt == null) {
            return false;
        }
        return value.equals(spelt) || (!value.isIntegralNumber() && value.doubleValue() == spelt.doubleValue());
    }

    /**
     * The field a named value ({@code id, price, amount}) is read from: {@code x_str} when it has a text, else
     * {@code x}; -1 when neither has.
     */
    public static int source(EventView.Fields data, int string, int number) {
        if (string >= 0 && data.hasText(string)) {
            return string;
        }
        return number >= 0 && data.hasText(number) ? number : -1;
    }

    /** How {@code data} field {@code i} is given ({@code sided}: the event has a side, from the side field). */
    public Give give(Plan p, EventView.Fields data, int i, boolean sided) {
        if (p.data[i] == null || (i == p.sideField && sided)) {
            return Give.SKIP;
        }
        int number = p.numberOf[i];
        int string = p.stringOf[i];
        if (p.named[i]) {
            int s = p.isString[i] ? i : string;
            int n = p.isString[i] ? number : i;
            int from = source(data, s, n);
            if (i == from) {
                return Give.SKIP;
            }
            if (i == s) {
                return Give.AS_IS; // an x_str without a text, beside the x the value was read from
            }
            return s >= 0 && data.spells(s, n) ? Give.SKIP : Give.AS_IS;
        }
        if (number >= 0 && data.spells(i, number)) {
            return Give.SKIP;
        }
        return string >= 0 && data.spells(string, i) ? Give.EXACT : Give.AS_IS;
    }

    /** The plan of an event's shape (the same object while the shapes repeat). */
    public Plan plan(EventView.Fields frame, EventView.Fields data) {
        Object frameShape = frame.shape();
        Object dataShape = data == null ? null : data.shape();
        if (plan != null && frameShape == planFrame && dataShape == planData) {
            return plan;
        }
        int size = data == null ? 0 : data.size();
        String[] dataOut = new String[size];
        int[] numberOf = new int[size];
        int[] stringOf = new int[size];
        boolean[] isString = new boolean[size];
        boolean[] named = new boolean[size];
        int sideField = -1;
        Set<String> inData = new HashSet<>();
        for (int i = 0; i < size; i++) {
            String name = data.name(i);
            inData.add(name);
            isString[i] = name.endsWith(STRING_SUFFIX);
            String base = isString[i] ? name.substring(0, name.length() - STRING_SUFFIX.length()) : name;
            numberOf[i] = isString[i] ? data.find(base) : -1;
            stringOf[i] = data.find(name + STRING_SUFFIX);
            named[i] = NAMED.contains(base);
            if (name.equals(sideName)) {
                sideField = i;
            }
            dataOut[i] = name.equals("microtimestamp") ? null : OWN.contains(name) ? "data_" + name : name;
        }
        String[] frameOut = new String[frame.size()];
        for (int i = 0; i < frameOut.length; i++) {
            String name = frame.name(i);
            boolean taken = OWN.contains(name) || inData.contains(name);
            frameOut[i] = TOP_LEVEL_DONE.contains(name) ? null : taken ? "frame_" + name : name;
        }
        planFrame = frameShape;
        planData = dataShape;
        plan = new Plan(frameOut, dataOut, numberOf, stringOf, isString, named, sideField);
        return plan;
    }
}
