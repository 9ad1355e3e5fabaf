package dev.orderflow.capture.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

@org.junit.jupiter.api.Timeout(600)
class ItemSizeTest {

    @Test
    void shouldCountNamesAndValuesAsDynamoDbDoes() {
        Map<String, AttributeValue> item = Map.of(
                "pk", AttributeValue.fromS("btcusd#orders"), // 2 + 13
                "n", AttributeValue.fromN("1234"),           // 1 + 3 (4 digits: 2 bytes + 1)
                "z", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[100])), // 1 + 100
                "é", AttributeValue.fromBool(true));         // 2 + 1
        assertEquals(2 + 13 + 1 + 3 + 1 + 100 + 2 + 1, ItemSize.of(item));
    }

    @Test
    void shouldSizeNumbersBySignificantDigits() {
        assertEquals(1, ItemSize.number("0"));
        assertEquals(2, ItemSize.number("7"));
        assertEquals(2, ItemSize.number("7000000")); // trailing zeros trimmed
        assertEquals(4, ItemSize.number("70123.40")); // 701234
        assertEquals(5, ItemSize.number("-12345"));   // 5 digits: 3 bytes + 1, and 1 for the sign
        assertEquals(8, ItemSize.number("1795463281792000")); // 1795463281792: 13 digits, 7 bytes + 1
    }
}
