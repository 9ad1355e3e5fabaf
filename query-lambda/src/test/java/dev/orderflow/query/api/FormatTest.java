package dev.orderflow.query.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(600)
class FormatTest {

    private static Format accept(String... headers) {
        return Format.negotiate(Optional.empty(), List.of(headers));
    }

    @Test
    void shouldPreferTheFormatParameterOverAccept() {
        assertEquals(Format.CSV, Format.negotiate(Optional.of("CSV"), List.of("application/json")));
        Problem problem = assertThrows(Problem.class, () -> Format.negotiate(Optional.of("xml"), List.of()));
        assertEquals("format", problem.parameter());
    }

    @Test
    void shouldPickTheBestAcceptedFormatByQualityThenSpecificity() {
        assertEquals(Format.JSON, Format.negotiate(Optional.empty(), List.of()));
        assertEquals(Format.JSON, accept("*/*"));
        assertEquals(Format.CSV, accept("text/csv, */*"));
        assertEquals(Format.NDJSON, accept("application/x-ndjson"));
        assertEquals(Format.NDJSON, accept("application/ndjson;q=0.9", "text/csv;q=0.5"));
        assertEquals(Format.CSV, accept("text/*"));
        assertEquals(Format.JSON, accept("text/html", "application/xhtml+xml", "*/*;q=0.8"));
        assertEquals(Format.CSV, accept("application/json;q=0.2, text/csv;q=0.4"));
        assertEquals(Format.JSON, accept("application/json;q=bogus"));
    }

    @Test
    void shouldRefuseWhenNothingAcceptableRemains() {
        assertEquals("Accept", assertThrows(Problem.class, () -> accept("image/png")).parameter());
        assertEquals(406, assertThrows(Problem.class, () -> accept("text/csv;q=0, application/*;q=0")).status());
    }
}
