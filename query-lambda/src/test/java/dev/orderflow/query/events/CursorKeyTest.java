package dev.orderflow.query.events;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The function refuses to start outside dev and test with a key anyone could know. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CursorKeyTest {
    private static final String OWN_KEY = "k".repeat(CursorCodec.MIN_KEY_LENGTH);

    @Test
    void shouldRefuseTheBuiltInKeyInTheProdProfileNamingTheVariable() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CursorCodec.requireOwnKey(CursorCodec.DEVELOPMENT_KEY, List.of("prod")));
        assertTrue(e.getMessage().contains("ORDERFLOW_CURSOR_KEY"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> CursorCodec.requireOwnKey(CursorCodec.DEVELOPMENT_KEY, List.of()));
        assertThrows(IllegalStateException.class, () -> CursorCodec.requireOwnKey(null, List.of("prod")));
    }

    @Test
    void shouldRefuseAShortKeyOutsideDevAndTest() {
        assertThrows(IllegalStateException.class, () -> CursorCodec.requireOwnKey(OWN_KEY.substring(1), List.of("prod")));
        assertDoesNotThrow(() -> CursorCodec.requireOwnKey(OWN_KEY, List.of("prod")));
    }

    @Test
    void shouldLetTheBuiltInKeyServeDevAndTests() {
        assertDoesNotThrow(() -> CursorCodec.requireOwnKey(CursorCodec.DEVELOPMENT_KEY, List.of("dev")));
        assertDoesNotThrow(() -> CursorCodec.requireOwnKey(CursorCodec.DEVELOPMENT_KEY, List.of("test", "other")));
    }
}
