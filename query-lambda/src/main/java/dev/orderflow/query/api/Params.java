package dev.orderflow.query.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

/**
 * The query parameters of one request, checked strictly: a parameter the path does not take, a parameter given
 * twice, or an empty value is a 400 naming it (a typo such as {@code sides=buy} must not silently widen a query).
 */
public final class Params {
    private final MultivaluedMap<String, String> values;

    private Params(MultivaluedMap<String, String> values) {
        this.values = values;
    }

    /** Reads and checks the query string against the parameters this path takes, in documentation order. */
    public static Params of(UriInfo uri, List<String> known) {
        MultivaluedMap<String, String> values;
        try {
            values = uri.getQueryParameters(true);
        } catch (RuntimeException e) {
            throw Problem.badRequest("The query string is not valid percent-encoding.");
        }
        Set<String> allowed = Set.copyOf(known);
        for (Map.Entry<String, List<String>> entry : values.entrySet()) {
            String name = entry.getKey();
            if (!allowed.contains(name)) {
                throw Problem.badParameter(shorten(name), "Unknown parameter '" + shorten(name) + "'. "
                        + (known.isEmpty() ? "This path takes no parameters." : "This path takes: "
                                + String.join(", ", known) + "."));
            }
            if (entry.getValue().size() > 1) {
                throw Problem.badParameter(name, "'" + name + "' is given " + entry.getValue().size()
                        + " times; give it once" + (name.equals("type") ? " (a comma list for several types)." : "."));
            }
        }
        return new Params(values);
    }

    /** The value, or empty when the parameter is absent; an empty value is a 400. */
    public Optional<String> get(String name) {
        String value = values.getFirst(name);
        if (value == null) {
            return Optional.empty();
        }
        if (value.isBlank()) {
            throw Problem.badParameter(name, "'" + name + "' is empty: leave it out or give a value.");
        }
        return Optional.of(value.strip());
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String require(String name, String what) {
        return get(name).orElseThrow(() -> Problem.badParameter(name, "'" + name + "' is required: " + what));
    }

    /** A whole number in {@code [min, max]}, or {@code fallback} when absent. */
    public int intIn(String name, int fallback, int min, int max) {
        Optional<String> text = get(name);
        if (text.isEmpty()) {
            return fallback;
        }
        String value = text.get();
        boolean digits = !value.isEmpty() && value.length() <= 10 && value.chars().allMatch(Character::isDigit);
        long parsed = digits ? Long.parseLong(value) : -1;
        if (!digits || parsed < min || parsed > max) {
            throw Problem.badParameter(name, "'" + name + "' must be a whole number from " + min + " to " + max
                    + " (default " + fallback + ").");
        }
        return (int) parsed;
    }

    /** Keeps echoed client text short and printable. */
    public static String shorten(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 60; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (out.length() < text.length()) {
            out.append('…');
        }
        return out.toString();
    }
}
