package dev.orderflow.query.events;

/**
 * Where the next page of a query starts: at event {@code index} (0-based) of the stored chunk {@code sk}, and at
 * {@code atMicros} in time (the start of the next page's coverage).
 */
public record Cursor(EventQuery query, String sk, int index, long atMicros) {
}
