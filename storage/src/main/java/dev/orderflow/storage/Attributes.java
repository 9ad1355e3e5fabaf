package dev.orderflow.storage;

import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reading and writing the table's plain attributes, one rule for every item. */
public final class Attributes {
    private Attributes() {
    }

    /** A whole-number attribute (a time in µs), or {@code null} when it is absent or not a whole number. */
    public static Long micros(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item == null ? null : item.get(name);
        if (value == null || value.n() == null) {
            return null;
        }
        try {
            return Long.parseLong(value.n());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A string attribute, or {@code null} when it is absent. */
    static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    /** Puts a string attribute unless the value is {@code null} or empty (DynamoDB refuses empty key values). */
    static void putIfPresent(Map<String, AttributeValue> item, String name, String value) {
        if (value != null && !value.isEmpty()) {
            item.put(name, AttributeValue.fromS(value));
        }
    }
}
