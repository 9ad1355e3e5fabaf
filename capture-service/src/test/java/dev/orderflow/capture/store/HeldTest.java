package dev.orderflow.capture.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HeldTest {
    @Test
    void shouldKeepEachFrameOnceInArrivalOrderAndTellFramesOfEqualHashApart() {
        byte[] aa = "Aa".getBytes(StandardCharsets.US_ASCII);
        byte[] bb = "BB".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Arrays.hashCode(aa), Arrays.hashCode(bb), "two frames of one hash");
        Held first = new Held(1, 10, 100, aa);
        Held other = new Held(2, 11, 100, bb);
        Held again = new Held(3, 12, 100, "Aa".getBytes(StandardCharsets.US_ASCII)); // the same bytes, received twice

        assertEquals(List.of(first, other), Held.distinct(List.of(first, other, again)));
        assertEquals(List.of(again, other), Held.distinct(List.of(again, first, other)));
    }
}
