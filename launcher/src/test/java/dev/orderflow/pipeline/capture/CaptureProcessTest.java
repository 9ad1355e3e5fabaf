package dev.orderflow.pipeline.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.orderflow.pipeline.LaunchException;

@org.junit.jupiter.api.Timeout(600)
class CaptureProcessTest {
    @Test
    void shouldDeriveTheSimulatorsRestUrlFromItsWebSocketUrl() {
        assertEquals(URI.create("http://127.0.0.1:9090"), CaptureProcess.restUrlFor(URI.create("ws://127.0.0.1:9090")));
        assertEquals(URI.create("https://feed.example:8443"),
                CaptureProcess.restUrlFor(URI.create("wss://feed.example:8443/path")));
    }

    @Test
    void shouldUseBitstampsRestHostForTheRealFeed() {
        assertEquals(URI.create("https://www.bitstamp.net"),
                CaptureProcess.restUrlFor(URI.create("wss://ws.bitstamp.net")));
    }

    @Test
    void shouldRejectAFeedThatIsNotAWebSocketUrl() {
        assertThrows(LaunchException.class, () -> CaptureProcess.restUrlFor(URI.create("http://127.0.0.1:9090")));
    }

    @Test
    void shouldLeaveTheTableToTheLauncherAndPassThePairsOn() {
        Map<String, String> env = CaptureProcess.feedEnvironment(URI.create("ws://127.0.0.1:9090"), "all");
        assertEquals("ws://127.0.0.1:9090", env.get("CAPTURE_FEED_URL"));
        assertEquals("http://127.0.0.1:9090", env.get("CAPTURE_REST_URL"));
        assertEquals("all", env.get("CAPTURE_PAIRS"));
        assertEquals("false", env.get("CAPTURE_TABLE_CREATE"), "the launcher creates the table, as the template does");
    }

    @Test
    void shouldTrimTheNativeHeapOnlyOnJavaVersionsThatKnowTheOption() {
        for (String known : List.of("17.0.9", "17.0.15+6", "21.0.1", "22", "25.0.1")) {
            assertTrue(CaptureProcess.trimsNativeHeap(Runtime.Version.parse(known)), known);
        }
        for (String unknown : List.of("17", "17.0.8", "18.0.2", "20.0.2", "21")) {
            assertFalse(CaptureProcess.trimsNativeHeap(Runtime.Version.parse(unknown)), unknown);
        }
    }
}
