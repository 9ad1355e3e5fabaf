package dev.orderflow.simulator.rest;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.orderflow.simulator.world.Json;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.http.HttpServerRequest;

/** Answers and query parameters of the HTTP endpoints; a bad parameter is a 400 problem naming it. */
final class Responses {
    /** A request that cannot be served as asked; becomes an {@code application/problem+json} answer. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String parameter;

        Problem(int status, String detail, String parameter) {
            super(detail, null, false, false);
            this.status = status;
            this.parameter = parameter;
        }
    }

    private Responses() {
    }

    static void json(HttpServerRequest req, int status, JsonNode body) {
        text(req, status, "application/json", Json.text(body));
    }

    static void text(HttpServerRequest req, int status, String contentType, String body) {
        req.response().setStatusCode(status).putHeader("Content-Type", contentType).end(body);
    }

    static void problem(HttpServerRequest req, Problem p) {
        ObjectNode body = Json.object();
        body.put("type", "about:blank");
        body.put("title", HttpResponseStatus.valueOf(p.status).reasonPhrase());
        body.put("status", p.status);
        body.put("detail", p.getMessage());
        if (p.parameter != null) {
            body.put("parameter", p.parameter);
        }
        text(req, p.status, "application/problem+json", Json.text(body));
    }

    static Problem notFound(String detail) {
        return new Problem(404, detail, null);
    }

    static Problem badParameter(String parameter, String detail) {
        return new Problem(400, detail, parameter);
    }

    static String required(HttpServerRequest req, String name) {
        String value = req.getParam(name);
        if (value == null || value.isBlank()) {
            throw badParameter(name, "query parameter '" + name + "' is required");
        }
        return value;
    }

    /** A whole number in [min, max]; {@code fallback} when absent (null fallback = required). */
    static long integer(HttpServerRequest req, String name, long min, long max, Long fallback) {
        String value = req.getParam(name);
        if (value == null && fallback != null) {
            return fallback;
        }
        value = required(req, name);
        try {
            long n = Long.parseLong(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw badParameter(name, "query parameter '" + name + "' must be a whole number from " + min + " to " + max
                + ", got '" + value + "'");
    }

    /** Seconds as a decimal in (0, 86400]; {@code fallback} when absent (null fallback = required). */
    static double seconds(HttpServerRequest req, String name, Double fallback) {
        String value = req.getParam(name);
        if (value == null && fallback != null) {
            return fallback;
        }
        value = required(req, name);
        try {
            BigDecimal s = new BigDecimal(value.trim());
            if (s.signum() > 0 && s.compareTo(BigDecimal.valueOf(86_400)) <= 0) {
                return s.doubleValue();
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw badParameter(name, "query parameter '" + name + "' must be a number of seconds above 0 and at most"
                + " 86400, got '" + value + "'");
    }
}
