package dev.orderflow.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(600)
class PrometheusTest {
    private static final String TEXT = """
            # HELP capture_events_stored_total Events stored
            # TYPE capture_events_stored_total counter
            capture_events_stored_total{channel="orders",pair="btcusd"} 1200.0
            capture_events_stored_total{channel="trades",pair="btcusd"} 31.0
            capture_events_stored_total{channel="orders",pair="ethusd"} 1200.0
            capture_write_units_total 57.5
            capture_event_queryable_delay_seconds{quantile="0.99"} 1.342177
            capture_event_queryable_delay_seconds_max NaN
            """;

    @Test
    void shouldSumTheSeriesWhoseLabelsMatch() {
        Prometheus metrics = new Prometheus(TEXT);
        assertEquals(1200.0, metrics.sum("capture_events_stored_total", Map.of("pair", "btcusd", "channel", "orders")));
        assertEquals(1231.0, metrics.sum("capture_events_stored_total", Map.of("pair", "btcusd")));
        assertEquals(2431.0, metrics.sum("capture_events_stored_total"));
        assertEquals(57.5, metrics.sum("capture_write_units_total"));
        assertEquals(1.342177, metrics.sum("capture_event_queryable_delay_seconds", Map.of("quantile", "0.99")));
    }

    @Test
    void shouldReadAMissingOrNotANumberSeriesAsZero() {
        Prometheus metrics = new Prometheus(TEXT);
        assertEquals(0.0, metrics.sum("capture_items_refused_total"));
        assertEquals(0.0, metrics.sum("capture_event_queryable_delay_seconds_max"));
        assertEquals(0.0, metrics.sum("capture_events_stored_total", Map.of("pair", "ltcusd")));
    }
}
