package dev.orderflow.pipeline.process;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import dev.orderflow.pipeline.LaunchException;

@org.junit.jupiter.api.Timeout(600)
class PortsTest {
    @Test
    void shouldNameTheComponentAndTheOptionWhenItsPortIsTakenOnLoopback() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            LaunchException e = assertThrows(LaunchException.class,
                    () -> Ports.requireFree(taken.getLocalPort(), "DynamoDB Local", "--port"));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort() + " (DynamoDB Local)"), e.getMessage());
            assertTrue(e.getMessage().contains("--port"), e.getMessage());
        }
    }

    @Test
    void shouldAcceptAFreePort() {
        int port = Ports.free();
        assertDoesNotThrow(() -> Ports.requireFree(port, "simulator", "--port"));
        assertTrue(port >= Ports.PICK_FROM && port < Ports.PICK_TO, "below the ephemeral range: " + port);
    }
}
