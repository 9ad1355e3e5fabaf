package dev.orderflow.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrameType;

/** The WebSocket protocol as the exchange speaks it (see the samples README), against a started simulator. */
@org.junit.jupiter.api.Timeout(600)
class ProtocolTest {
    private static final String ERROR = "{\"event\":\"bts:error\",\"channel\":\"\",\"data\":{\"code\":null,\"message\":\"%s\"}}";
    private static Vertx vertx;
    private static Simulator simulator;
    private static SimHttp http;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        simulator = Simulator.start(SimulatorOptions.defaults().withPort(0).withRate(0)
                .withPingInterval(Duration.ofMillis(300)));
        http = new SimHttp(simulator.port());
    }

    @AfterAll
    static void stop() {
        simulator.close();
        vertx.close();
    }

    @Test
    void shouldAcknowledgeSubscribeAndUnsubscribeAndThenStopSending() throws Exception {
        try (SimClient c = SimClient.connect(vertx, simulator.port())) {
            c.subscribe("live_orders_btcusd");
            http.postJson("/sim/emit?pair=btcusd&count=1");
            assertTrue(c.next(5000).contains("\"channel\":\"live_orders_btcusd\""));
            c.send("{\"event\":\"bts:unsubscribe\",\"data\":{\"channel\":\"live_orders_btcusd\"}}");
            assertEquals("{\"event\":\"bts:unsubscription_succeeded\",\"channel\":\"live_orders_btcusd\",\"data\":{}}",
                    c.next(5000));
            http.postJson("/sim/emit?pair=btcusd&count=3");
            assertNull(c.poll(300));
        }
    }

    @Test
    void shouldAnswerHeartbeat() throws Exception {
        try (SimClient c = SimClient.connect(vertx, simulator.port())) {
            c.send("{\"event\":\"bts:heartbeat\"}");
            assertEquals("{\"event\":\"bts:heartbeat\",\"channel\":\"\",\"data\":{\"status\":\"success\"}}",
                    c.next(5000));
        }
    }

    @Test
    void shouldAnswerErrorsLikeTheExchange() throws Exception {
        try (SimClient c = SimClient.connect(vertx, simulator.port())) {
            c.send("{not json");
            assertEquals(String.format(ERROR, "Incorrect JSON format."), c.next(5000));
            c.send("[1,2]");
            assertEquals(String.format(ERROR, "Incorrect JSON format."), c.next(5000));
            c.send("{\"event\":\"bts:subscribe\",\"data\":{}}");
            assertEquals(String.format(ERROR, "Bad subscription string."), c.next(5000));
            c.send("{\"event\":\"bts:subscribe\",\"data\":{\"channel\":42}}");
            assertEquals(String.format(ERROR, "Bad subscription string."), c.next(5000));
            c.send("{\"event\":\"bts:subscribe\",\"data\":{\"channel\":\"Live_Orders_BTCUSD\"}}");
            assertEquals(String.format(ERROR, "Invalid channel provided."), c.next(5000));
            c.send("{\"event\":\"bts:subscribe\",\"data\":{\"channel\":\"live orders\"}}");
            assertEquals(String.format(ERROR, "Invalid channel provided."), c.next(5000));
        }
    }

    @Test
    void shouldAcknowledgeUnknownLowercaseChannelAndStaySilent() throws Exception {
        try (SimClient c = SimClient.connect(vertx, simulator.port())) {
            c.subscribe("live_orders_nosuchpair");
            http.postJson("/sim/emit?pair=btcusd&count=5");
            assertNull(c.poll(300));
        }
    }

    @Test
    void shouldCloseWith1009WhenClientFrameIsOver512Bytes() throws Exception {
        try (SimClient c = SimClient.connect(vertx, simulator.port())) {
            String padded = "{\"event\":\"bts:heartbeat\",\"pad\":\"" + "x".repeat(512) + "\"}";
            c.send(padded);
            assertEquals((short) 1009, c.closed.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldAcceptA512ByteFrame() throws Exception {
        try (SimClient c = SimClient.connect(vertx, simulator.port())) {
            String prefix = "{\"event\":\"bts:heartbeat\",\"pad\":\"";
            String exact = prefix + "x".repeat(512 - prefix.length() - 2) + "\"}";
            assertEquals(512, exact.length());
            c.send(exact);
            assertTrue(c.next(5000).contains("bts:heartbeat"));
        }
    }

    @Test
    void shouldCloseTheConnectionAtThe1025thSubscriptionWithoutAnErrorFrame() throws Exception {
        try (SimClient c = SimClient.connect(vertx, simulator.port())) {
            for (int i = 0; i < 1024; i++) {
                c.subscribe("order_book_pair" + i);
            }
            c.subscribe("order_book_pair7"); // one held already: not another subscription
            c.send("{\"event\":\"bts:subscribe\",\"data\":{\"channel\":\"order_book_one_too_many\"}}");
            c.closed.get(5, TimeUnit.SECONDS);
            assertNull(c.poll(500), "no frame before the close");
        }
    }

    @Test
    void shouldSendWebSocketPingsAtTheConfiguredInterval() throws Exception {
        WebSocket ws = SimClient.connectRaw(vertx, simulator.port()).get(10, TimeUnit.SECONDS);
        CompletableFuture<Long> ping = new CompletableFuture<>();
        long start = System.nanoTime();
        ws.frameHandler(f -> {
            if (f.type() == WebSocketFrameType.PING) {
                ping.complete((System.nanoTime() - start) / 1_000_000);
            }
        });
        long millis = ping.get(5, TimeUnit.SECONDS);
        ws.close();
        assertTrue(millis >= 150 && millis < 2000, "first ping after " + millis + " ms");
    }
}
