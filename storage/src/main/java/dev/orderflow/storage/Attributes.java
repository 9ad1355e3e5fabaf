package dev.orderflow.storage;

import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Reading the table's number attributes, one rule for every reader. */
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
}
